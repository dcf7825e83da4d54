//! The LaunchAgent: the rendered plist is a real plist with the design's keys, and its
//! ProgramArguments are a command line our CLI accepts.

use clap::Parser;
use operator::cli::{Cli, Command};
use operator::launchd::{PlistValues, render};

use crate::support::{DemoWorld, morning, run_operator, stderr, stdout};

#[test]
fn the_rendered_plist_parses_and_its_arguments_are_our_cli() {
    let world = DemoWorld::new(morning());
    let out = run_operator(
        world.dir.path(),
        &["--config", &world.config_arg(), "launchd", "print"],
        &[
            ("HOME", "/Users/jeremy"),
            ("THANOS_ROOT", "/Users/jeremy/Thanos"),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let value = plist::Value::from_reader_xml(stdout(&out).as_bytes()).expect("a valid XML plist");
    let dict = value.as_dictionary().unwrap();
    assert_eq!(dict["Label"].as_string(), Some("com.thanos.operator"));
    assert_eq!(dict["RunAtLoad"].as_boolean(), Some(true));
    assert_eq!(dict["ThrottleInterval"].as_unsigned_integer(), Some(60));
    assert_eq!(dict["Nice"].as_signed_integer(), Some(5));
    assert_eq!(dict["ProcessType"].as_string(), Some("Background"));
    assert!(
        dict["ExitTimeOut"].as_unsigned_integer().unwrap() > 20,
        "ExitTimeOut must outlast the shutdown deadline"
    );
    let keep_alive = dict["KeepAlive"].as_dictionary().unwrap();
    assert_eq!(keep_alive["SuccessfulExit"].as_boolean(), Some(false));
    assert_eq!(keep_alive["Crashed"].as_boolean(), Some(true));
    let env = dict["EnvironmentVariables"].as_dictionary().unwrap();
    assert_eq!(env["THANOS_ROOT"].as_string(), Some("/Users/jeremy/Thanos"));
    assert!(!stdout(&out).contains("TOKEN"), "no secrets in the plist");

    let args: Vec<String> = dict["ProgramArguments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_string().unwrap().to_owned())
        .collect();
    assert!(std::path::Path::new(&args[0]).is_absolute());
    let cli = Cli::try_parse_from(&args).expect("ProgramArguments parse with our CLI");
    assert!(matches!(cli.command, Command::Run));
    assert_eq!(cli.config.as_deref(), Some(world.files.config.as_path()));
}

#[test]
fn odd_paths_are_escaped_into_a_valid_plist() {
    let v = PlistValues {
        binary: "/Users/a & b/<bin>/operator".into(),
        config: "/Users/a/\"quoted\" 'cfg'.yaml".into(),
        thanos_root: "/Users/a/Thanos & co".into(),
        home: "/Users/a".into(),
        working_directory: "/Users/a".into(),
        log_dir: "/Users/a/logs".into(),
    };
    let value = plist::Value::from_reader_xml(render(&v).as_bytes()).unwrap();
    let args = value.as_dictionary().unwrap()["ProgramArguments"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(args[0].as_string(), Some("/Users/a & b/<bin>/operator"));
    assert_eq!(args[2].as_string(), Some("/Users/a/\"quoted\" 'cfg'.yaml"));
}

#[cfg(not(target_os = "macos"))]
#[test]
fn install_and_uninstall_refuse_off_macos() {
    let world = DemoWorld::new(morning());
    for action in ["install", "uninstall"] {
        let out = run_operator(
            world.dir.path(),
            &["--config", &world.config_arg(), "launchd", action],
            &[("HOME", "/tmp")],
        );
        assert_eq!(out.status.code(), Some(1), "{action}");
        assert!(
            stderr(&out).contains("only works on macOS"),
            "{}",
            stderr(&out)
        );
    }
}
