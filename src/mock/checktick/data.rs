//! The CheckTick mock's model: users and their tiers and roles, keys, question group
//! templates and datasets (all derived from the seed), and the throttles' counters.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;

use serde_json::{json, Value};

use super::faults::{Fault, Variant};
use super::render::iso;
use crate::mock::common::{mix, pick};
use crate::mock::kit::throttle::{FixedWindow, SlidingLog};
use crate::mock::kit::{ids, HasSwitches, Switches};
use crate::target::Credentials;

// ------------------------------------------------------------------ the model

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Free,
    Pro,
    Team,
    Organisation,
    Enterprise,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgRole {
    Admin,
    Creator,
    Viewer,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: u64,
    pub username: String,
    pub tier: Tier,
    pub org: Option<(u64, OrgRole)>,
}

impl User {
    pub fn org_id(&self) -> Option<u64> {
        self.org.map(|(o, _)| o)
    }
    pub fn is_admin_of(&self, org: Option<u64>) -> bool {
        matches!((self.org, org), (Some((o, OrgRole::Admin)), Some(x)) if o == x)
    }
    pub fn is_viewer(&self) -> bool {
        matches!(self.org, Some((_, OrgRole::Creator | OrgRole::Viewer)))
            && self.tier == Tier::Organisation
    }
}

pub const OWNER: u64 = 1;
pub const ORG_ADMIN: u64 = 2;
pub const ORG_VIEWER: u64 = 3;
pub const FREE: u64 = 4;
pub const TEAM: u64 = 5;
pub const ENTERPRISE: u64 = 6;
pub const OUTSIDER: u64 = 7;
pub const MEMBER_A: u64 = 8;
pub const ADMIN_B: u64 = 9;
pub const MEMBER_D: u64 = 10;
/// Who an unknown key is taken for under `auth.invalid-key-accepted`.
pub const STRANGER: u64 = 11;

pub const ORG_A: u64 = 1;
pub const ORG_B: u64 = 2;
pub const ORG_D: u64 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    Live,
    Revoked,
    Expired,
    PasswordChanged,
}

#[derive(Debug, Clone)]
pub struct Template {
    pub id: u64,
    pub name: String,
    pub description: Option<String>,
    pub markdown: String,
    pub org: Option<u64>,
    pub publisher: u64,
    pub attribution: Value,
    pub tags: Vec<String>,
    pub language: &'static str,
    pub import_count: u64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct Dataset {
    pub key: String,
    pub name: String,
    pub description: String,
    pub category: &'static str,
    pub org: Option<u64>,
    pub options: Vec<String>,
    pub version: u64,
    pub created_at: String,
    pub updated_at: String,
}

/// Throttle state: the legacy token endpoint keeps DRF's exact history (5 a minute); the
/// generous anon/user rates use fixed windows (a count, not a timestamp per request). Keyed by
/// DRF's ident (X-Forwarded-For is the client's to choose: the kit's stores are bounded).
#[derive(Default)]
pub struct Throttles {
    pub token: SlidingLog<String>,
    pub anon: FixedWindow<String>,
    pub user: FixedWindow<u64>,
}

pub struct App {
    pub seed: u64,
    pub size: u64,
    pub switches: Switches<Fault, Variant>,
    /// Survey `n` (1..=size) is published as id `id_base + n` (other ids, under `roles-apart`).
    pub id_base: u64,
    pub users: HashMap<u64, User>,
    pub orgs: HashMap<u64, String>,
    pub keys: HashMap<String, (u64, KeyState)>,
    pub role_keys: Vec<(&'static str, String)>,
    pub special_keys: Vec<(&'static str, String)>,
    pub templates: Vec<Template>,
    pub datasets: Vec<Dataset>,
    pub throttles: Throttles,
    pub created: AtomicU64,
    pub schema: &'static str,
}

pub const ORG_NAMES: &[&str] = &[
    "Northbridge Clinical Research",
    "Riverside Community Trust",
    "Harbourview Health Partners",
    "Fenwick Paediatric Network",
    "Calder Valley Primary Care",
    "Ashgrove Research Institute",
];

pub const SURVEY_TOPICS: &[&str] = &[
    "Patient experience",
    "Outpatient follow-up",
    "Staff wellbeing",
    "Clinic waiting times",
    "Discharge feedback",
    "Carer support",
    "Medication adherence",
    "Telehealth satisfaction",
    "Sleep and fatigue",
    "Diet and activity",
];

pub const QUESTION_TEXTS: &[&str] = &[
    "How would you rate your overall experience?",
    "How long did you wait to be seen?",
    "Were you given enough information about your care?",
    "How easy was it to book an appointment?",
    "Would you recommend this service to friends and family?",
    "How many days in the last week did you feel rested?",
    "Which of these services did you use?",
    "Is there anything we could have done better?",
];

pub const QUESTION_TYPES: &[&str] = &["likert", "mc_single", "mc_multi", "yesno", "text", "number"];

/// Template topics: names are distinct and none appears in any description.
pub const TEMPLATE_TOPICS: &[&str] = &[
    "Anxiety screening (GAD-7)",
    "Depression screening (PHQ-9)",
    "Sleep quality",
    "Pain intensity",
    "Smoking history",
    "Alcohol use (AUDIT-C)",
    "Physical activity",
    "Diet and nutrition",
    "Quality of life (EQ-5D)",
    "Demographics core set",
    "Ethnicity and language",
    "Carer responsibilities",
    "Patient experience core",
    "Medication review",
    "Falls risk",
    "Frailty assessment",
    "Paediatric growth",
    "Asthma control",
    "Diabetes self-care",
    "Wellbeing (WEMWBS)",
    "Cognitive screening",
    "Housing circumstances",
    "Employment status",
    "Digital access",
];

pub const DESCRIPTIONS: &[&str] = &[
    "Validated items for routine outpatient follow-up",
    "Short set used at clinic intake",
    "Adapted for community settings with plain-English wording",
    "Core items agreed by the regional research network",
    "Bilingual set reviewed by the patient panel",
    "Items chosen for longitudinal cohort studies",
];

pub const TAGS: &[&str] = &[
    "mental-health",
    "wellbeing",
    "demographics",
    "nhs",
    "paediatrics",
    "pain",
    "sleep",
    "lifestyle",
    "quality-of-life",
    "screening",
];

pub const LANGUAGES: &[&str] = &["en", "cy", "en", "en", "cy"];

/// The three organisations' names, picked from the seed.
fn make_orgs(seed: u64) -> HashMap<u64, String> {
    let org_offset = (mix(seed, 7) % ORG_NAMES.len() as u64) as usize;
    [ORG_A, ORG_B, ORG_D]
        .iter()
        .map(|&o| {
            (
                o,
                ORG_NAMES[(org_offset + o as usize) % ORG_NAMES.len()].to_string(),
            )
        })
        .collect()
}

/// The fixed users, by id, with their tiers and organisation roles.
fn make_users(seed: u64, apart: bool) -> HashMap<u64, User> {
    let user = |id: u64, name: &str, tier: Tier, org: Option<(u64, OrgRole)>| User {
        id,
        username: format!("{name}-{:04x}", mix(seed, 100 + id) % 0x10000),
        tier,
        org,
    };
    [
        // roles-apart: the owner belongs to no organisation, the viewer to another one.
        user(
            OWNER,
            "owner",
            Tier::Pro,
            (!apart).then_some((ORG_A, OrgRole::Creator)),
        ),
        user(
            ORG_ADMIN,
            "orgadmin",
            Tier::Organisation,
            Some((ORG_A, OrgRole::Admin)),
        ),
        user(
            ORG_VIEWER,
            "viewer",
            Tier::Organisation,
            Some((if apart { ORG_D } else { ORG_A }, OrgRole::Viewer)),
        ),
        user(FREE, "free", Tier::Free, None),
        user(TEAM, "team", Tier::Team, None),
        user(
            ENTERPRISE,
            "enterprise",
            Tier::Enterprise,
            Some((ORG_D, OrgRole::Admin)),
        ),
        user(
            OUTSIDER,
            "outsider",
            Tier::Organisation,
            Some((ORG_B, OrgRole::Creator)),
        ),
        user(
            MEMBER_A,
            "member",
            Tier::Organisation,
            Some((ORG_A, OrgRole::Creator)),
        ),
        user(
            ADMIN_B,
            "admin-b",
            Tier::Organisation,
            Some((ORG_B, OrgRole::Admin)),
        ),
        user(
            MEMBER_D,
            "member-d",
            Tier::Enterprise,
            Some((ORG_D, OrgRole::Creator)),
        ),
        user(STRANGER, "stranger", Tier::Pro, None),
    ]
    .into_iter()
    .map(|u| (u.id, u))
    .collect()
}

/// The API key numbered `n`, derived from the seed.
fn api_key(seed: u64, n: u64) -> String {
    format!(
        "ct_live_{:016x}{:016x}",
        mix(seed, 1000 + n),
        mix(seed ^ 0x5eed, 2000 + n)
    )
}

/// The users whose keys are handed out by role, in the order of `make_role_keys`.
const ROLE_KEY_USERS: [u64; 7] = [
    OWNER, ORG_ADMIN, ORG_VIEWER, FREE, TEAM, ENTERPRISE, OUTSIDER,
];

/// The live key of each role, by its credential name.
fn make_role_keys(seed: u64) -> Vec<(&'static str, String)> {
    let names = [
        "owner",
        "org_admin",
        "org_viewer",
        "free",
        "team",
        "enterprise",
        "outsider",
    ];
    names
        .iter()
        .zip(ROLE_KEY_USERS)
        .map(|(name, uid)| (*name, api_key(seed, uid)))
        .collect()
}

/// The owner's keys that no longer work: revoked, expired, and from before a password change.
fn make_special_keys(seed: u64) -> Vec<(&'static str, String)> {
    vec![
        ("revoked_api_key", api_key(seed, 50)),
        ("expired_api_key", api_key(seed, 51)),
        ("password_changed_api_key", api_key(seed, 52)),
    ]
}

/// Every key, to its user and its state.
fn key_table(
    role_keys: &[(&'static str, String)],
    special_keys: &[(&'static str, String)],
) -> HashMap<String, (u64, KeyState)> {
    let mut keys: HashMap<String, (u64, KeyState)> = HashMap::new();
    for ((_, k), uid) in role_keys.iter().zip(ROLE_KEY_USERS) {
        keys.insert(k.clone(), (uid, KeyState::Live));
    }
    keys.insert(special_keys[0].1.clone(), (OWNER, KeyState::Revoked));
    keys.insert(special_keys[1].1.clone(), (OWNER, KeyState::Expired));
    keys.insert(
        special_keys[2].1.clone(),
        (OWNER, KeyState::PasswordChanged),
    );
    keys
}

crate::has_switches!(App: Fault, Variant);

impl App {
    pub fn new(seed: u64, size: usize, switches: Switches<Fault, Variant>) -> App {
        let apart = switches.chose(Variant::RolesApart);
        let orgs = make_orgs(seed);
        let users = make_users(seed, apart);
        let role_keys = make_role_keys(seed);
        let special_keys = make_special_keys(seed);
        let keys = key_table(&role_keys, &special_keys);
        let templates = make_templates(seed, &users, switches.chose(Variant::LocaleOrdering));
        let datasets = make_datasets(seed, &orgs);
        App {
            seed,
            size: size as u64,
            switches,
            id_base: if apart { 5000 } else { 0 },
            users,
            orgs,
            keys,
            role_keys,
            special_keys,
            templates,
            datasets,
            throttles: Throttles::default(),
            created: AtomicU64::new(0),
            schema: include_str!("../../../specs/checktick/openapi.yaml"),
        }
    }

    pub fn credentials(&self) -> Credentials {
        let mut c = Credentials::default().with("api_key", self.role_keys[0].1.clone());
        for (name, k) in &self.special_keys {
            c = c.with(name, k.clone());
        }
        for (role, k) in &self.role_keys {
            c = c.with_role(role, "api_key", k.clone());
        }
        c
    }

    /// What the rules cannot discover, as a profile's `fixtures` would give it: a survey of
    /// org_admin's organisation it does not own, and a template and a dataset of org_viewer's
    /// organisation.
    pub fn fixtures(&self) -> std::collections::BTreeMap<String, Value> {
        let (survey, template, dataset) = if self.chose(Variant::RolesApart) {
            // A survey of the organisation's other member; the viewer's organisation is D.
            (5, 106, "org-d-departments")
        } else {
            // One of the owner's (the owner is a member of the organisation here).
            (1, 104, "org-a-clinics")
        };
        [
            ("org_survey_id", self.survey_id_json(survey)),
            ("org_template_id", self.template_id_json(template)),
            ("org_dataset_key", json!(dataset)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    // -------------------------------------------------------------- ids

    /// The UUID-like prefix of string ids (`string-ids`), per seed and kind, with the dash
    /// before the last group: 12 hex digits of the number end it.
    pub fn uuid_prefix(&self, kind: u64) -> String {
        let m = mix(self.seed ^ 0x1d5, kind);
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-",
            m >> 32,
            (m >> 16) & 0xffff,
            (m >> 4) & 0xfff,
            m & 0xfff
        )
    }

    pub fn id_json(&self, kind: u64, number: u64) -> Value {
        if self.chose(Variant::StringIds) {
            json!(ids::format_prefixed_hex(
                &self.uuid_prefix(kind),
                number,
                12
            ))
        } else {
            json!(number)
        }
    }

    /// The number an id written in a path stands for, if it is one of this mock's forms.
    pub fn parse_id(&self, kind: u64, raw: &str) -> Option<u64> {
        if self.chose(Variant::StringIds) {
            ids::parse_prefixed_hex(raw, &self.uuid_prefix(kind), 12)
        } else {
            ids::parse_digits(raw)
        }
    }

    /// Survey `n`'s id as the API writes it.
    pub fn survey_id_json(&self, n: u64) -> Value {
        self.id_json(1, self.id_base + n)
    }

    /// The survey (its number `n`) a path's id names, if it exists.
    pub fn survey_number(&self, raw: &str) -> Option<u64> {
        self.parse_id(1, raw)
            .and_then(|id| id.checked_sub(self.id_base))
            .filter(|&n| self.survey_exists(n))
    }

    pub fn template_id_json(&self, id: u64) -> Value {
        self.id_json(2, id)
    }

    /// A timestamp as this deployment writes it: DRF's ISO 8601, or (`locale-ordering`) a
    /// DATETIME_FORMAT of `%d/%m/%Y %H:%M:%S`.
    pub fn timestamp(&self, iso: String) -> String {
        match (self.chose(Variant::LocaleOrdering), iso.get(0..19)) {
            // `YYYY-MM-DDTHH:MM:SS.ffffffZ` rearranged.
            (true, Some(t)) => format!("{}/{}/{} {}", &t[8..10], &t[5..7], &t[0..4], &t[11..19]),
            _ => iso,
        }
    }
}

impl Template {
    pub fn level(&self) -> &'static str {
        if self.org.is_some() {
            "organisation"
        } else {
            "global"
        }
    }
}

/// How a database locale compares names (`locale-ordering`): case and punctuation blind.
pub fn collation_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// `lower_case`: some names begin in lower case (`locale-ordering`).
pub fn make_templates(seed: u64, users: &HashMap<u64, User>, lower_case: bool) -> Vec<Template> {
    let n = TEMPLATE_TOPICS.len() as u64;
    let offset = mix(seed, 30) % n;
    (0..n)
        .map(|j| {
            let id = 101 + j;
            let mut name = TEMPLATE_TOPICS[((j + offset) % n) as usize].to_string();
            if lower_case && j % 3 == 1 {
                name = name[..1].to_lowercase() + &name[1..];
            }
            let org = match j % 6 {
                0..=2 => None,
                3 => Some(ORG_A),
                4 => Some(ORG_B),
                _ => Some(ORG_D),
            };
            let publishers: &[u64] = match org {
                None => &[OWNER, ORG_ADMIN, OUTSIDER, ADMIN_B, ENTERPRISE, TEAM],
                Some(ORG_A) => &[OWNER, ORG_ADMIN, MEMBER_A],
                Some(ORG_B) => &[OUTSIDER, ADMIN_B],
                Some(_) => &[ENTERPRISE, MEMBER_D],
            };
            let publisher = publishers[(mix(seed ^ 31, j) % publishers.len() as u64) as usize];
            // Both languages at both levels are always there (the language filter and the
            // documented example have something to tell apart); the rest are picked.
            let language = match j {
                0 | 9 => "en",
                1 | 3 => "cy",
                _ => pick(LANGUAGES, seed, j, 32),
            };
            let n_tags = if j == 0 || j == 3 {
                2
            } else {
                1 + mix(seed ^ 33, j) % 3
            };
            let first = mix(seed ^ 34, j) % TAGS.len() as u64;
            let step = 1 + mix(seed ^ 35, j) % (TAGS.len() as u64 - 1);
            let mut tags: Vec<String> = Vec::new();
            for t in 0..n_tags {
                let tag = TAGS[((first + t * step) % TAGS.len() as u64) as usize].to_string();
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
            let description = (j != 2).then(|| {
                format!(
                    "{} (set {}).",
                    DESCRIPTIONS[(mix(seed ^ 36, j) % DESCRIPTIONS.len() as u64) as usize],
                    j + 1
                )
            });
            let markdown = format!(
                "# {name}\n\n1. How often in the last two weeks? (likert)\n2. Any comments? (text)\n"
            );
            let attribution = if mix(seed ^ 37, j) % 3 == 0 {
                Value::Null
            } else {
                json!({
                    "authors": [users.get(&publisher).map(|u| u.username.clone())],
                    "licence": "CC BY 4.0",
                    "source": "CheckTick template library",
                })
            };
            let created = 1_672_531_200 + (mix(seed ^ 38, j) % (600 * 86_400)) as i64;
            let updated = created + (mix(seed ^ 39, j) % (90 * 86_400)) as i64;
            Template {
                id,
                name,
                description,
                markdown,
                org,
                publisher,
                attribution,
                tags,
                language,
                import_count: mix(seed ^ 40, j) % 2000,
                created_at: iso(created, mix(seed ^ 41, j)),
                updated_at: iso(updated, mix(seed ^ 42, j)),
            }
        })
        .collect()
}

pub fn make_datasets(seed: u64, orgs: &HashMap<u64, String>) -> Vec<Dataset> {
    type Spec<'a> = (&'a str, &'a str, &'static str, Option<u64>, &'a [&'a str]);
    let specs: &[Spec] = &[
        (
            "countries",
            "Countries",
            "external_api",
            None,
            &["United Kingdom", "Ireland", "France"],
        ),
        (
            "ethnic_category",
            "Ethnic category",
            "nhs_dd",
            None,
            &["A - White British", "B - White Irish", "Z - Not stated"],
        ),
        (
            "marital_status",
            "Marital status",
            "nhs_dd",
            None,
            &["S - Single", "M - Married/Civil partner", "D - Divorced"],
        ),
        (
            "smoking_status",
            "Smoking status",
            "nhs_dd",
            None,
            &["1 - Current smoker", "2 - Ex-smoker", "4 - Never smoked"],
        ),
        (
            "uk_nations",
            "UK nations",
            "user_created",
            None,
            &["England", "Scotland", "Wales", "Northern Ireland"],
        ),
        (
            "welsh_health_boards",
            "Welsh health boards",
            "rcpch",
            None,
            &["Aneurin Bevan", "Betsi Cadwaladr", "Cardiff and Vale"],
        ),
        (
            "org-a-clinics",
            "Clinics",
            "user_created",
            Some(ORG_A),
            &["North clinic", "South clinic", "Day unit"],
        ),
        (
            "org-a-wards",
            "Wards",
            "user_created",
            Some(ORG_A),
            &["Ward 1", "Ward 2", "Ward 3"],
        ),
        (
            "org-b-sites",
            "Sites",
            "user_created",
            Some(ORG_B),
            &["Riverside", "Hilltop"],
        ),
        (
            "org-d-departments",
            "Departments",
            "user_created",
            Some(ORG_D),
            &["Finance", "Research", "Estates"],
        ),
    ];
    specs
        .iter()
        .enumerate()
        .map(|(i, (key, name, category, org, options))| {
            let i = i as u64;
            let created = 1_640_995_200 + (mix(seed ^ 50, i) % (700 * 86_400)) as i64;
            let updated = created + (mix(seed ^ 51, i) % (200 * 86_400)) as i64;
            let owner = org
                .and_then(|o| orgs.get(&o))
                .map(|n| format!(" of {n}"))
                .unwrap_or_default();
            Dataset {
                key: key.to_string(),
                name: name.to_string(),
                description: format!("{name} dropdown options{owner}."),
                category,
                org: *org,
                options: options.iter().map(|s| s.to_string()).collect(),
                version: 1 + mix(seed ^ 52, i) % 5,
                created_at: iso(created, mix(seed ^ 53, i)),
                updated_at: iso(updated, mix(seed ^ 54, i)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survey_slots_partition_the_ids() {
        let app = App::new(1, 40, Switches::faithful());
        let mut all = app.surveys_in_slots(&[0, 1, 2, 3, 4, 5, 6, 7]);
        all.sort();
        assert_eq!(all, (1..=40).collect::<Vec<u64>>());
        assert_eq!(app.surveys_in_slots(&[0]), vec![1, 9, 17, 25, 33]);
    }

    #[test]
    fn template_names_are_unique_and_absent_from_descriptions() {
        for seed in 0..20 {
            let app = App::new(seed, 8, Switches::faithful());
            for t in &app.templates {
                assert_eq!(app.templates.iter().filter(|o| o.name == t.name).count(), 1);
                for o in &app.templates {
                    let d = o.description.clone().unwrap_or_default().to_lowercase();
                    assert!(!d.contains(&t.name.to_lowercase()));
                    if let Some(desc) = &t.description {
                        assert!(!o.name.to_lowercase().contains(&desc.to_lowercase()));
                    }
                }
            }
        }
    }
}
