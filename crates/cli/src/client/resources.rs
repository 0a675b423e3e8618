//! Handles on the namespaced kinds the commands read and write, typed or untyped.

use kube::api::{Api, DynamicObject};
use kube::core::{ApiResource, NamespaceResourceScope};
use serde::de::DeserializeOwned;

use super::Connection;

/// The kinds read as typed objects.
pub trait Typed:
    kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug + Send + Sync + 'static
{
}

impl<K> Typed for K where
    K: kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug + Send + Sync + 'static
{
}

/// The namespaced kinds read as typed objects.
pub trait Namespaced: Typed + kube::Resource<Scope = NamespaceResourceScope> {}

impl<K: Typed + kube::Resource<Scope = NamespaceResourceScope>> Namespaced for K {}

/// The `K` objects of the connection's namespace, typed.
pub fn namespaced<K: Namespaced>(conn: &Connection) -> Api<K> {
    Api::namespaced(conn.client.clone(), &conn.namespace)
}

/// The `K` objects of every namespace (`-A/--all-namespaces`), else of the connection's namespace.
pub fn in_scope<K: Namespaced>(conn: &Connection, all_namespaces: bool) -> Api<K> {
    if all_namespaces {
        Api::all(conn.client.clone())
    } else {
        namespaced(conn)
    }
}

/// The `K` objects of the connection's namespace, untyped: any stored shape decodes, and writes send
/// exactly the bytes given.
pub fn untyped<K>(conn: &Connection) -> Api<DynamicObject>
where
    K: kube::Resource<Scope = NamespaceResourceScope, DynamicType = ()>,
{
    Api::namespaced_with(conn.client.clone(), &conn.namespace, &ApiResource::erase::<K>(&()))
}
