//! Every subcommand's `--help` prints and exits 0. clap checks a command's arguments (two with
//! one name, a `requires` naming nothing) only when it is parsed, and then panics: a flag added
//! to a shared group and to one command at once passed every library test and broke `plan`.

use std::process::Command;

#[test]
fn every_subcommand_parses_and_prints_its_help() {
    let top = Command::new(env!("CARGO_BIN_EXE_specgate"))
        .arg("--help")
        .output()
        .expect("specgate starts");
    assert!(top.status.success(), "specgate --help: {top:?}");
    let text = String::from_utf8_lossy(&top.stdout).into_owned();
    // The subcommands, as the top-level help lists them (indented names under "Commands:").
    let commands: Vec<String> = text
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        // A name at two spaces; a description's continuation lines are indented further.
        .filter(|l| !l[2..].starts_with(' '))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() >= 8, "too few subcommands found in:\n{text}");
    for command in commands {
        let out = Command::new(env!("CARGO_BIN_EXE_specgate"))
            .args([command.as_str(), "--help"])
            .output()
            .expect("specgate starts");
        assert!(
            out.status.success(),
            "specgate {command} --help exited {:?}:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
