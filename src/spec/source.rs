//! Where specs come from: a folder of spec folders on disk (`--specs DIR`, or `./specs`), or the
//! specs built into the binary, so that an installed `specgate` works from any folder.

use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};

use super::{discover, io_error, load_spec, load_spec_from_str, Spec, CONTRACT_FILE, OPENAPI_FILE};
use crate::error::{suggest, SpecErrors};

/// The checkout's `specs/` as it was when the binary was built (`build.rs` rebuilds when it
/// changes, a new spec folder included).
static BUILT_IN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/specs");

/// The folder a built-in spec is named after in its errors and outputs, as if read from a
/// checkout: `specs/<api>/contract.yaml:LINE:COLUMN`.
pub const BUILT_IN_FOLDER: &str = "specs";

/// Where the specs of a run are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecsRoot {
    /// A folder holding one spec folder per API.
    Folder(PathBuf),
    /// The specs built into the binary.
    BuiltIn,
}

/// One spec to load: a spec folder on disk, or a spec built into the binary (by its API name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecSource {
    Folder(PathBuf),
    BuiltIn(&'static str),
}

/// The names of the specs built into the binary: each folder of `specs/` holding a
/// `contract.yaml`, by name.
pub fn built_in_names() -> Vec<&'static str> {
    BUILT_IN
        .dirs()
        .filter(|d| d.get_file(d.path().join(CONTRACT_FILE)).is_some())
        .filter_map(|d| d.path().to_str())
        .collect()
}

/// The text of one file of a built-in spec, `None` when it is not built in.
fn built_in_text(api: &str, file: &str) -> Option<&'static str> {
    BUILT_IN
        .get_file(Path::new(api).join(file))
        .and_then(|f| f.contents_utf8())
}

impl SpecSource {
    /// The spec folder it is, or stands for: a built-in spec's is `specs/<api>`, so that its
    /// errors name `specs/<api>/contract.yaml` with a line and column.
    pub fn dir(&self) -> PathBuf {
        match self {
            SpecSource::Folder(dir) => dir.clone(),
            SpecSource::BuiltIn(api) => Path::new(BUILT_IN_FOLDER).join(api),
        }
    }

    /// Load, check and compile it ([`load_spec`], or [`load_spec_from_str`] on the built-in
    /// text): every problem found is returned, each located in its file.
    pub fn load(&self) -> Result<Spec, SpecErrors> {
        let api = match self {
            SpecSource::Folder(dir) => return load_spec(dir),
            SpecSource::BuiltIn(api) => api,
        };
        let dir = self.dir();
        let text = |file: &str| {
            built_in_text(api, file).ok_or_else(|| {
                let missing =
                    std::io::Error::new(std::io::ErrorKind::NotFound, "not built into this binary");
                SpecErrors(vec![io_error(&dir.join(file), missing)])
            })
        };
        load_spec_from_str(&dir, text(OPENAPI_FILE)?, text(CONTRACT_FILE)?)
    }
}

impl SpecsRoot {
    /// Every spec under it, by name.
    pub fn discover(&self) -> Vec<SpecSource> {
        match self {
            SpecsRoot::Folder(root) => discover(root)
                .unwrap_or_default()
                .into_iter()
                .map(SpecSource::Folder)
                .collect(),
            SpecsRoot::BuiltIn => built_in_names()
                .into_iter()
                .map(SpecSource::BuiltIn)
                .collect(),
        }
    }

    /// The spec of an API name, if it has one.
    pub fn find(&self, api: &str) -> Option<SpecSource> {
        self.discover()
            .into_iter()
            .find(|s| s.dir().file_name().is_some_and(|n| n == api))
    }

    /// The names of its specs, for hints.
    pub fn names(&self) -> Vec<String> {
        self.discover()
            .iter()
            .filter_map(|s| {
                s.dir()
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
            })
            .collect()
    }

    /// What it is, in a sentence's words: "specs" (a folder) or "the built-in specs".
    fn describe(&self) -> String {
        match self {
            SpecsRoot::Folder(root) => root.display().to_string(),
            SpecsRoot::BuiltIn => "the specs built into specgate".into(),
        }
    }

    /// Resolve names or paths given on the command line to specs: a spec folder, or a file of
    /// one, is read from disk; any other name is an API under this root. An empty list means
    /// every spec under it.
    pub fn resolve(&self, args: &[String]) -> Result<Vec<SpecSource>, String> {
        if args.is_empty() {
            let known = self.discover();
            if known.is_empty() {
                return Err(format!(
                    "no spec folder under {}: each is `<api>/contract.yaml` + `<api>/openapi.yaml`",
                    self.describe()
                ));
            }
            return Ok(known);
        }
        args.iter()
            .map(|a| {
                let p = PathBuf::from(a);
                if p.join(CONTRACT_FILE).is_file() {
                    Ok(SpecSource::Folder(p))
                } else if p.is_file()
                    && p.file_name()
                        .is_some_and(|n| n == CONTRACT_FILE || n == OPENAPI_FILE)
                {
                    Ok(SpecSource::Folder(
                        p.parent().map(Path::to_path_buf).unwrap_or_default(),
                    ))
                } else if let Some(known) = self.find(a) {
                    Ok(known)
                } else {
                    let names = self.names();
                    Err(format!(
                        "no spec `{a}` (neither an API under {} nor a spec folder); {}",
                        self.describe(),
                        suggest(a, names.iter().map(String::as_str))
                    ))
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkout() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(BUILT_IN_FOLDER)
    }

    #[test]
    fn the_built_in_specs_are_the_checkouts_byte_for_byte() {
        let on_disk: Vec<String> = SpecsRoot::Folder(checkout()).names();
        assert_eq!(built_in_names(), on_disk);
        assert!(on_disk.len() >= 5, "{on_disk:?}");
        for api in &on_disk {
            for file in [OPENAPI_FILE, CONTRACT_FILE] {
                let disk = std::fs::read_to_string(checkout().join(api).join(file)).unwrap();
                assert!(
                    built_in_text(api, file) == Some(disk.as_str()),
                    "{api}/{file} differs from the checkout's: rebuild"
                );
            }
        }
    }

    #[test]
    fn a_built_in_spec_loads_as_its_folder_does_and_is_named_after_it() {
        let built_in = SpecsRoot::BuiltIn.find("checklick").unwrap();
        assert_eq!(built_in, SpecSource::BuiltIn("checklick"));
        assert_eq!(built_in.dir(), Path::new("specs/checklick"));
        let spec = built_in.load().unwrap();
        let folder = load_spec(&checkout().join("checklick")).unwrap();
        assert_eq!(spec.name, "checklick");
        assert_eq!(spec.dir, Path::new("specs/checklick"));
        assert_eq!(spec.rules, folder.rules);
        assert_eq!(
            spec.contract_path(),
            Path::new("specs/checklick/contract.yaml")
        );
    }

    #[test]
    fn an_error_in_a_built_in_spec_names_its_file_line_and_column() {
        let source = SpecSource::BuiltIn("checklick");
        let contract = built_in_text("checklick", CONTRACT_FILE).unwrap();
        let broken = contract.replacen("kind: transport", "kind: transprot", 1);
        let line = broken
            .lines()
            .position(|l| l.contains("transprot"))
            .unwrap()
            + 1;
        let openapi = built_in_text("checklick", OPENAPI_FILE).unwrap();
        let e = load_spec_from_str(&source.dir(), openapi, &broken).unwrap_err();
        let e = e.to_string();
        assert!(
            e.starts_with(&format!("specs/checklick/contract.yaml:{line}:")),
            "{e}"
        );
    }

    #[test]
    fn names_resolve_to_built_in_specs_and_paths_to_folders() {
        let root = SpecsRoot::BuiltIn;
        assert_eq!(root.resolve(&[]).unwrap().len(), built_in_names().len());
        let folder = checkout().join("optacheck");
        let got = root
            .resolve(&["checkvist".into(), folder.display().to_string()])
            .unwrap();
        assert_eq!(
            got,
            [SpecSource::BuiltIn("checkvist"), SpecSource::Folder(folder)]
        );
        let e = root.resolve(&["checkvis".into()]).unwrap_err();
        assert_eq!(
            e,
            "no spec `checkvis` (neither an API under the specs built into specgate nor a spec folder); did you mean `checkvist`?"
        );
    }

    #[test]
    fn an_empty_folder_is_not_the_built_in_specs() {
        let empty = std::env::temp_dir().join(format!("specgate-no-specs-{}", std::process::id()));
        std::fs::create_dir_all(&empty).unwrap();
        let e = SpecsRoot::Folder(empty.clone()).resolve(&[]).unwrap_err();
        assert!(e.starts_with("no spec folder under "), "{e}");
        assert!(SpecsRoot::Folder(empty.clone()).find("checklick").is_none());
        let _ = std::fs::remove_dir_all(&empty);
    }
}
