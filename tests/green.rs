//! A green run means something: a profile that names an unset variable or an unknown
//! credential is refused, a selection that leaves no rule is refused, lint fails when it
//! cannot check a cite, and a run that skipped too much for want of credentials fails.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run the binary in the checkout with `env` set (and nothing else of ours): (code, stdout,
/// stderr).
fn specgate(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_specgate"));
    cmd.args(args).current_dir(root()).env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every example profile names only what its contract declares, and loads when each variable
/// it reads is set (so the unknown-name check refuses none of them).
#[test]
fn the_example_profiles_load_with_their_variables_set() {
    let specs = root().join("specs");
    let mut profiles: Vec<PathBuf> = std::fs::read_dir(root().join("targets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    profiles.sort();
    assert_eq!(profiles.len(), 5, "{profiles:?}");
    for path in profiles {
        let (api, _) = specgate::target::Profile::read_api(&path).unwrap();
        let spec = specgate::cli::specs::load_named(&specs, &api).unwrap();
        let declared = specgate::cli::specs::declared(&spec);
        // Every variable set, to a value long enough to be a secret; the CA file of checklick
        // is written by the mock, so only its absence may be refused.
        let loaded = specgate::target::Profile::load(&path, &declared, &|_| {
            Some("a-long-enough-value".into())
        });
        if let Err(e) = loaded {
            for e in e.iter() {
                assert!(
                    e.to_string().contains("ca_cert") || e.to_string().contains(".pem"),
                    "{}: {e}",
                    path.display()
                );
            }
        }
    }
}

/// A temp folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let d = std::env::temp_dir().join(format!("specgate-green-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }
    fn file(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The misspelt key: `apikey:` used to skip half the rules and exit 0.
#[test]
fn a_misspelt_credential_key_is_refused_with_the_nearest_name() {
    let dir = TempDir::new("misspelt");
    let profile = dir.file(
        "p.yaml",
        "api: checklist-items\nbase_url: http://127.0.0.1:9/api\ncredentials:\n  apikey: ${SPECGATE_GREEN_KEY}\n",
    );
    let (code, out, err) = specgate(
        &["check", "--target", &profile],
        &[("SPECGATE_GREEN_KEY", "a-long-enough-key")],
    );
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("p.yaml:4:3: unknown credential `apikey`\n  hint: did you mean `api_key`?"),
        "{err}"
    );
}
