//! Who a request runs as, and whether it may: for every request but the admin's plain ones (those are
//! let through by [`ApiServer::handle`] at the cost of a token comparison). The requester is authenticated
//! by its token, may impersonate whom RBAC lets it, and the request is then authorized for whoever it runs
//! as, before its body is read.

use std::sync::Arc;

use hyper::Request;
use hyper::body::Incoming;

use super::error::ApiError;
use super::query::Query;
use super::{ApiServer, bearer_token};
use crate::auth::attributes::{self, Attributes};
use crate::auth::audit::AuditRecord;
use crate::auth::identity::UserInfo;
use crate::auth::impersonation::Impersonation;
use crate::auth::policy::Decision;

impl ApiServer {
    /// Whether `user` may do what `attrs` say, recorded in the audit log (if one is kept) unless `user` is in
    /// `system:masters`; `admission` names the plugin asking, if the request itself is not what is asked.
    pub(crate) fn authorize(&self, user: &UserInfo, attrs: &Attributes, admission: Option<&str>) -> Decision {
        let decision = self.auth.authorize(&self.store, user, attrs);
        if let Some(log) = &self.audit
            && !user.is_privileged()
        {
            log.record(&AuditRecord::new(user, attrs, decision.allowed, admission));
        }
        decision
    }
}

/// The identity `req` runs as, once authenticated (`admin` says the admin's token was presented) and
/// allowed what it asks; or the 401, 403 (or 500 for impersonation headers without a user) to answer.
pub(super) fn check(server: &ApiServer, req: &Request<Incoming>, admin: bool) -> Result<Arc<UserInfo>, ApiError> {
    let requester = if admin {
        Arc::new(server.admin.clone())
    } else {
        req.headers()
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer_token)
            .and_then(|token| server.auth.authenticate(&server.store, token))
            .ok_or_else(ApiError::unauthorized)?
    };
    let user = match Impersonation::from_headers(req.headers()) {
        Err(e) => return Err(ApiError::internal(e)),
        Ok(None) => requester,
        Ok(Some(impersonation)) => {
            for asked in impersonation.checks() {
                authorize(server, &requester, &asked)?;
            }
            Arc::new(impersonation.user())
        }
    };
    let query = Query::parse(req.uri().query());
    let attrs = attributes::from_request(req.method().as_str(), req.uri().path(), &query);
    authorize(server, &user, &attrs)?;
    Ok(user)
}

fn authorize(server: &ApiServer, user: &UserInfo, attrs: &Attributes) -> Result<(), ApiError> {
    let decision = server.authorize(user, attrs, None);
    if decision.allowed {
        Ok(())
    } else {
        Err(attributes::forbidden(&user.name, attrs, &decision.reason))
    }
}
