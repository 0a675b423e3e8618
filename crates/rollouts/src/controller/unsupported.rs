//! What the upstream flags this controller accepts without acting on them say when given: one
//! warning each, so that an upstream manifest starts the controller and its operator learns what is
//! not done.

use super::flags::ControllerArgs;

/// The warnings `args` call for, one line each.
pub fn warnings(args: &ControllerArgs) -> Vec<String> {
    let flags = &args.unsupported;
    let mut warnings = Vec::new();
    let mut not_supported = |given: bool, flag: &str, what: &str| {
        if given {
            warnings.push(format!("--{flag} has no effect: {what} is not supported yet"));
        }
    };
    not_supported(
        flags.aws_target_group_binding_api_version.is_some(),
        "aws-target-group-binding-api-version",
        "AWS target group verification",
    );
    not_supported(
        flags.alb_tag_key_resource_id.is_some(),
        "alb-tag-key-resource-id",
        "AWS target group verification",
    );
    not_supported(
        flags.self_service_notification_enabled,
        "self-service-notification-enabled",
        "notifications",
    );
    not_supported(
        flags.enable_pprof_address.as_deref().is_some_and(|a| !a.is_empty()),
        "enable-pprof-address",
        "a pprof profiling server",
    );
    if flags.alb_verify_weight {
        warnings.push("Flag --alb-verify-weight has been deprecated, use --aws-verify-target-group instead".into());
    }
    if flags.aws_verify_target_group || flags.alb_verify_weight {
        warnings.push(
            "--aws-verify-target-group has no effect: AWS target group verification is not supported yet \
             (no AWS API is called)"
                .into(),
        );
    }
    if !flags.nginx_ingress_classes.is_empty() {
        warnings.push(
            "--nginx-ingress-classes has no effect: the NGINX router writes the canary Ingress whatever its class"
                .into(),
        );
    }
    if args.metrics_port_deprecated.is_some() {
        warnings.push("Flag --metricsport has been deprecated, use --metricsPort instead".into());
    }
    if args.metrics_addr.is_some() && (args.metrics_port.is_some() || args.metrics_port_deprecated.is_some()) {
        warnings.push("--metricsPort has no effect: --metrics-addr is given".into());
    }
    warnings
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: ControllerArgs,
    }

    fn warnings_of(args: &[&str]) -> Vec<String> {
        let cli = Cli::try_parse_from(std::iter::once("controller").chain(args.iter().copied())).unwrap();
        warnings(&cli.args)
    }

    #[test]
    fn defaults_say_nothing() {
        assert!(warnings_of(&[]).is_empty());
    }

    #[test]
    fn each_flag_without_effect_says_so() {
        assert_eq!(
            warnings_of(&["--aws-verify-target-group"]),
            [
                "--aws-verify-target-group has no effect: AWS target group verification is not supported yet (no AWS API is called)"
            ]
        );
        assert!(warnings_of(&["--traefik-api-version=traefik.io/v1alpha1"]).is_empty());
        assert!(warnings_of(&["--alb-ingress-classes=alb"]).is_empty());
        assert_eq!(warnings_of(&["--alb-verify-weight"]).len(), 2);
        assert_eq!(
            warnings_of(&["--metricsport=9000"]),
            ["Flag --metricsport has been deprecated, use --metricsPort instead"]
        );
        assert_eq!(warnings_of(&["--enable-pprof-address="]).len(), 0);
        assert_eq!(warnings_of(&["--enable-pprof-address=:6060"]).len(), 1);
    }
}
