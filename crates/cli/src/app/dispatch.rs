//! Runs a parsed command against the cluster.

use crate::app::args::{Command, CreateCommand, GetCommand, ListCommand, RetryCommand, SetCommand, TerminateCommand};
use crate::client::KubeOptions;
use crate::cmd;

pub(crate) async fn run(kube: KubeOptions, command: Command) -> anyhow::Result<()> {
    let conn = kube.connect().await?;
    let mut out = std::io::stdout();
    match command {
        Command::Version { .. } => Ok(()),
        Command::Get {
            what:
                GetCommand::Rollout {
                    name,
                    watch,
                    no_color,
                    timeout_seconds,
                },
        } => {
            let opts = cmd::get::GetRolloutOptions {
                watch,
                no_color,
                timeout_seconds,
            };
            cmd::get::run(&conn, &name, &opts).await
        }
        Command::Get {
            what:
                GetCommand::Experiment {
                    name,
                    watch,
                    no_color,
                    timeout_seconds,
                },
        } => {
            let opts = cmd::get::GetRolloutOptions {
                watch,
                no_color,
                timeout_seconds,
            };
            cmd::get::run_experiment(&conn, &name, &opts).await
        }
        Command::Set {
            what: SetCommand::Image { rollout, assignment },
        } => cmd::set_image::run(&conn, &rollout, &assignment, &mut out).await,
        Command::Promote {
            name,
            skip_current_step,
            skip_all_steps,
            full,
        } => {
            let flags = cmd::promote::PromoteFlags {
                skip_current_step,
                skip_all_steps,
                full,
            };
            cmd::promote::run(&conn, &name, flags, &mut out).await
        }
        Command::Abort { names } => cmd::abort::run(&conn, &names, &mut out).await,
        Command::Retry {
            what: RetryCommand::Rollout { names },
        } => cmd::retry::run_rollout(&conn, &names, &mut out).await,
        Command::Retry {
            what: RetryCommand::Experiment { names },
        } => cmd::retry::run_experiment(&conn, &names, &mut out).await,
        Command::Pause { names } => cmd::pause::run(&conn, &names, &mut out).await,
        Command::Lint { filename } => match filename {
            Some(file) => cmd::lint::run(&file, &mut out),
            None => Ok(()),
        },
        Command::List {
            what:
                ListCommand::Rollouts {
                    name,
                    all_namespaces,
                    watch,
                    timestamps,
                },
        } => {
            let opts = cmd::list::ListOptions {
                name,
                all_namespaces,
                watch,
                timestamps,
            };
            cmd::list::run(&conn, &opts, &mut out, &mut std::io::stderr()).await
        }
        Command::List {
            what: ListCommand::Experiments { all_namespaces },
        } => cmd::list::run_experiments(&conn, all_namespaces, &mut out, &mut std::io::stderr()).await,
        Command::Status { name, watch, timeout } => {
            let opts = cmd::status::StatusOptions {
                watch,
                timeout: Some(timeout),
            };
            cmd::status::run(&conn, &name, &opts, &mut out).await
        }
        Command::Completion { .. } => Ok(()),
        Command::Restart { name, delay } => cmd::restart::run(&conn, &name, delay.as_deref(), &mut out).await,
        Command::Undo { name, to_revision } => cmd::undo::run(&conn, &name, to_revision, &mut out).await,
        Command::Create {
            what:
                Some(CreateCommand::Analysisrun {
                    name,
                    generate_name,
                    instance_id,
                    arguments,
                    from,
                    from_file,
                    global,
                }),
            ..
        } => {
            let opts = cmd::create::AnalysisRunOptions {
                name: name.unwrap_or_default(),
                generate_name: generate_name.unwrap_or_default(),
                instance_id: instance_id.unwrap_or_default(),
                arguments,
                from: from.unwrap_or_default(),
                from_file: from_file.unwrap_or_default(),
                global,
            };
            cmd::create::run_analysis_run(&conn, &opts, &mut out).await
        }
        Command::Create {
            what: None,
            filenames,
            watch,
            no_color,
        } => match cmd::create::run(&conn, &filenames, watch, &mut out).await? {
            Some(cmd::create::WatchTarget::Rollout(name)) => {
                let opts = cmd::get::GetRolloutOptions {
                    watch: true,
                    no_color,
                    timeout_seconds: 0,
                };
                cmd::get::run(&conn, &name, &opts).await
            }
            Some(cmd::create::WatchTarget::Experiment(name)) => {
                let opts = cmd::get::GetRolloutOptions {
                    watch: true,
                    no_color,
                    timeout_seconds: 0,
                };
                cmd::get::run_experiment(&conn, &name, &opts).await
            }
            None => Ok(()),
        },
        Command::Terminate {
            what: TerminateCommand::Analysisrun { names },
        } => cmd::terminate::run_analysis_run(&conn, &names, &mut out).await,
        Command::Terminate {
            what: TerminateCommand::Experiment { names },
        } => cmd::terminate::run_experiment(&conn, &names, &mut out).await,
    }
}
