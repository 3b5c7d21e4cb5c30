//! `specgate specs`, and the one place the commands resolve and load specs and profiles.

use super::CliError;
use crate::error::SpecErrors;
use crate::report::Note;
use crate::spec::{Spec, SpecsRoot};
use crate::target::{Declared, Profile};

/// A spec that could not be had: its name resolves to no folder, or its folder does not load.
#[derive(Debug)]
pub enum SpecLoadError {
    /// Why the name resolves to no spec folder.
    Resolve(String),
    Load(SpecErrors),
}

impl From<SpecLoadError> for CliError {
    fn from(e: SpecLoadError) -> Self {
        match e {
            SpecLoadError::Resolve(reason) => CliError::Usage(reason),
            SpecLoadError::Load(errors) => CliError::Located(errors),
        }
    }
}

/// The spec of each name (an API name or a spec folder; none: every spec under `root`), in
/// order; each spec loads on its own, so the caller can go on past one that does not.
pub fn load_specs(
    root: &SpecsRoot,
    names: &[String],
) -> Result<Vec<Result<Spec, SpecErrors>>, SpecLoadError> {
    let sources = root.resolve(names).map_err(SpecLoadError::Resolve)?;
    Ok(sources.iter().map(|s| s.load()).collect())
}

/// The spec of one API name or spec folder.
pub fn load_named(root: &SpecsRoot, name: &str) -> Result<Spec, SpecLoadError> {
    load_specs(root, &[name.to_string()])?
        .into_iter()
        .next()
        .ok_or_else(|| SpecLoadError::Resolve(format!("no spec of `{name}`")))?
        .map_err(SpecLoadError::Load)
}

/// `specgate specs [API]`: the specs to list, every one of them loaded.
pub fn specs(root: &SpecsRoot, api: Option<&str>) -> Result<Vec<Spec>, CliError> {
    let names: Vec<String> = api.into_iter().map(str::to_string).collect();
    let mut specs = Vec::new();
    let mut failed = Vec::new();
    for loaded in load_specs(root, &names)? {
        match loaded {
            Ok(s) => specs.push(s),
            Err(errors) => failed.push(errors),
        }
    }
    if !failed.is_empty() {
        return Err(CliError::SpecsDoNotLoad(failed));
    }
    Ok(specs)
}

/// Read a target profile with the spec of its API (the spec declares the credentials, which of
/// them are secrets, the roles and the fixtures, so the API name is read first). Each optional
/// credential whose variable is not set is noted: the rules that need it are skipped.
pub fn load_profile(
    root: &SpecsRoot,
    path: &std::path::Path,
    notes: &mut dyn FnMut(Note<'_>),
) -> Result<(Spec, Profile), CliError> {
    let (api, api_at) = Profile::read_api(path).map_err(CliError::Located)?;
    let spec = load_named(root, &api).map_err(|e| match e {
        SpecLoadError::Resolve(reason) => CliError::ProfileApi {
            at: api_at.to_string(),
            reason,
        },
        SpecLoadError::Load(errors) => CliError::Located(errors),
    })?;
    let profile = Profile::load(path, &declared(&spec), &|v| std::env::var(v).ok())
        .map_err(CliError::Located)?;
    for credential in &profile.unset {
        notes(Note::UnsetCredential {
            profile: path,
            credential,
        });
    }
    Ok((spec, profile))
}

/// What `spec`'s contract declares that a profile may give: credentials (with which are
/// secrets), roles, fixtures.
pub fn declared(spec: &Spec) -> Declared {
    let contract = &spec.contract;
    Declared {
        credentials: contract
            .credentials
            .iter()
            .map(|c| (c.name.clone(), c.secret))
            .collect(),
        roles: contract.roles.iter().map(|r| r.name.clone()).collect(),
        fixtures: contract.fixtures.iter().map(|f| f.name.clone()).collect(),
    }
}
