//! Checklick's state and data set: users derived from (seed, id) alone, the overlay of the
//! written ones, the catalogue (built once), and each user's assessments, credentials and tag
//! applications.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};

use crate::mock::common::{mix, pick};
use crate::mock::kit::throttle::SlidingLog;
use crate::mock::kit::{time, HasSwitches, Switches};
use crate::mock::Shared;

use super::faults::{Fault, Variant};
use super::render::{fmt_time, record_time};
use super::{
    ASSESSMENTS_PER_USER, ASSESSMENT_SALT, BLOCKS, CATALOG_SALT, CHECKLISTS, CREDENTIAL_SALT,
    CREDENTIAL_SLOTS, DANGLING_OFFSET, DATA_END_MS, DATA_START_MS, DAY_MS, DEFAULT_PAGE_SIZE,
    EARLY_END_MS, FEW_TAGS, LATE_START_MS, LEVELS, LEVELS_PER_CHECKLIST, SECTIONS,
    SECTIONS_PER_LEVEL, SKILLS, SKILLS_PER_SECTION, TAGS, TAG_APPLICATION_SLOTS, TAG_SALT,
    USERS_END_MS, USER_SALT,
};

// ------------------------------------------------------------------------------------ state

pub(super) struct App {
    pub(super) seed: u64,
    /// Users of the data set: ids 1..=size.
    pub(super) size: u64,
    pub(super) switches: Switches<Fault, Variant>,
    pub(super) token: String,
    pub(super) org_id: u64,
    pub(super) catalog: Catalog,
    pub(super) users: Shared<Overlay>,
    /// Under `Throttled` only: recent requests per URL.
    pub(super) throttle: SlidingLog<String>,
}

crate::has_switches!(App: Fault, Variant);

impl App {
    /// The users' JSON:API type: `users`, or `user` under `SingularUserType`.
    pub(super) fn user_type(&self) -> &'static str {
        if self.chose(Variant::SingularUserType) {
            "user"
        } else {
            "users"
        }
    }

    pub(super) fn default_size(&self, catalog: bool) -> usize {
        if (!catalog && self.is(Fault::DefaultSize20))
            || (catalog && self.is(Fault::CatalogDefaultSize20))
        {
            20
        } else {
            DEFAULT_PAGE_SIZE
        }
    }
}

/// What was written: created users and changed ones, by id. Ids are handed out in order and
/// never removed (the document shows no DELETE), so the users are exactly 1..next_id.
pub(super) struct Overlay {
    pub(super) users: BTreeMap<u64, UserRec>,
    /// Lowercased username → id, for the users of the overlay.
    pub(super) usernames: HashMap<String, u64>,
    pub(super) next_id: u64,
    pub(super) last_ms: i64,
}

impl Overlay {
    pub(super) fn max_id(&self) -> u64 {
        self.next_id - 1
    }

    /// A timestamp that never goes backwards within this mock.
    pub(super) fn tick(&mut self) -> i64 {
        self.last_ms = time::now_millis().max(self.last_ms + 1);
        self.last_ms
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct UserRec {
    pub(super) username: String,
    pub(super) email: Option<String>,
    pub(super) first_name: Option<String>,
    pub(super) last_name: Option<String>,
    pub(super) birth_date: Option<String>,
    pub(super) address_1: Option<String>,
    pub(super) address_2: Option<String>,
    pub(super) city: Option<String>,
    pub(super) province: Option<String>,
    pub(super) postal_code: Option<String>,
    pub(super) country: Option<String>,
    pub(super) created_ms: i64,
    pub(super) updated_ms: i64,
}

/// The user attributes a client may write (and filter on), dasherized.
pub(super) const USER_WRITABLE: &[&str] = &[
    "username",
    "email",
    "first-name",
    "last-name",
    "birth-date",
    "address-1",
    "address-2",
    "city",
    "province",
    "postal-code",
    "country",
];
/// Required to create a user ("the minimum required fields"), and never blank afterwards.
pub(super) const USER_REQUIRED: &[&str] = &[
    "username",
    "first-name",
    "last-name",
    "email",
    "birth-date",
    "password",
    "password-confirmation",
];

impl UserRec {
    pub(super) fn field(&self, key: &str) -> Option<&str> {
        match key {
            "username" => Some(&self.username),
            "email" => self.email.as_deref(),
            "first-name" => self.first_name.as_deref(),
            "last-name" => self.last_name.as_deref(),
            "birth-date" => self.birth_date.as_deref(),
            "address-1" => self.address_1.as_deref(),
            "address-2" => self.address_2.as_deref(),
            "city" => self.city.as_deref(),
            "province" => self.province.as_deref(),
            "postal-code" => self.postal_code.as_deref(),
            "country" => self.country.as_deref(),
            _ => None,
        }
    }

    pub(super) fn set(&mut self, key: &str, value: Option<String>) {
        match key {
            "username" => self.username = value.unwrap_or_default(),
            "email" => self.email = value,
            "first-name" => self.first_name = value,
            "last-name" => self.last_name = value,
            "birth-date" => self.birth_date = value,
            "address-1" => self.address_1 = value,
            "address-2" => self.address_2 = value,
            "city" => self.city = value,
            "province" => self.province = value,
            "postal-code" => self.postal_code = value,
            "country" => self.country = value,
            _ => {}
        }
    }
}

// ------------------------------------------------------------------------------------ data set

pub(super) const FIRST_NAMES: &[&str] = &[
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Charlotte",
    "Oliver",
    "Amelia",
    "Elijah",
    "Ava",
    "James",
    "Sophia",
    "William",
    "Isabella",
    "Benjamin",
    "Mia",
    "Lucas",
    "Evelyn",
    "Henry",
    "Harper",
    "Theodore",
    "Chloe",
    "Jack",
    "Nora",
    "Owen",
    "Maya",
    "Leo",
    "Zoe",
    "Ethan",
    "Hannah",
    "Aiden",
];
pub(super) const LAST_NAMES: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Martin",
    "Tremblay", "Roy", "Gagnon", "Lee", "Wilson", "Taylor", "Anderson", "Thomas", "Moore",
    "Jackson", "White", "Harris", "Clark", "Lewis", "Walker", "Young", "King", "Wright", "Scott",
    "Green", "Baker", "Nguyen", "Patel",
];
pub(super) const STREETS: &[&str] = &[
    "Maple",
    "Oak",
    "Cedar",
    "Pine",
    "Elm",
    "Birch",
    "Lakeshore",
    "King",
    "Queen",
    "Church",
    "Main",
    "Park",
    "Victoria",
    "Wellington",
];
pub(super) const STREET_KINDS: &[&str] =
    &["Street", "Avenue", "Road", "Drive", "Crescent", "Boulevard"];
pub(super) const CITIES: &[(&str, &str, &str)] = &[
    ("Toronto", "ON", "M5V"),
    ("Ottawa", "ON", "K1P"),
    ("Hamilton", "ON", "L8P"),
    ("Vancouver", "BC", "V6B"),
    ("Victoria", "BC", "V8W"),
    ("Calgary", "AB", "T2P"),
    ("Edmonton", "AB", "T5J"),
    ("Winnipeg", "MB", "R3C"),
    ("Halifax", "NS", "B3H"),
    ("Montreal", "QC", "H3B"),
];

pub(super) fn user_rand(seed: u64, id: u64, salt: u64) -> u64 {
    mix(seed ^ USER_SALT ^ salt.wrapping_mul(0x1000_0001), id)
}

pub(super) fn base_first(seed: u64, id: u64) -> &'static str {
    pick(FIRST_NAMES, seed ^ USER_SALT, id, 1)
}

pub(super) fn base_last(seed: u64, id: u64) -> &'static str {
    pick(LAST_NAMES, seed ^ USER_SALT, id, 2)
}

pub(super) fn base_username(seed: u64, id: u64) -> String {
    let first = base_first(seed, id).chars().next().unwrap_or('x');
    format!("{}{}{id}", first, base_last(seed, id)).to_ascii_lowercase()
}

pub(super) fn base_created_ms(seed: u64, id: u64) -> i64 {
    let r = user_rand(seed, id, 3);
    let (from, to) = if id % 2 == 1 {
        (DATA_START_MS, EARLY_END_MS)
    } else {
        (LATE_START_MS, USERS_END_MS)
    };
    from + (r % (to - from) as u64) as i64
}

pub(super) fn base_updated_ms(seed: u64, id: u64) -> i64 {
    let created = base_created_ms(seed, id);
    created + (user_rand(seed, id, 4) % (DATA_END_MS - created) as u64) as i64
}

/// 1950-01-01 and 2016-01-01 as days since the epoch: users are born between them.
pub(super) const BIRTH_FROM_DAY: i64 = -7305;
pub(super) const BIRTH_TO_DAY: i64 = 16_801;

pub(super) fn base_birth_date(seed: u64, id: u64) -> String {
    // 1950-01-01 .. 2015-12-31
    let d =
        BIRTH_FROM_DAY + (user_rand(seed, id, 5) % (BIRTH_TO_DAY - BIRTH_FROM_DAY) as u64) as i64;
    time::format_utc(time::utc_from_secs(d * 86_400), time::DATE)
}

pub(super) fn base_city(seed: u64, id: u64) -> (&'static str, &'static str, &'static str) {
    CITIES[(user_rand(seed, id, 6) % CITIES.len() as u64) as usize]
}

/// One attribute of a user of the data set, computed alone (filters scan without building users).
pub(super) fn base_field(seed: u64, id: u64, key: &str) -> Option<Cow<'static, str>> {
    Some(match key {
        "username" => Cow::Owned(base_username(seed, id)),
        "email" => Cow::Owned(format!("{}@example.com", base_username(seed, id))),
        "first-name" => Cow::Borrowed(base_first(seed, id)),
        "last-name" => Cow::Borrowed(base_last(seed, id)),
        "birth-date" => Cow::Owned(base_birth_date(seed, id)),
        "address-1" => Cow::Owned(format!(
            "{} {} {}",
            1 + user_rand(seed, id, 7) % 2000,
            pick(STREETS, seed, id, 8),
            pick(STREET_KINDS, seed, id, 9)
        )),
        "address-2" => {
            let r = user_rand(seed, id, 10);
            if r % 3 == 0 {
                Cow::Owned(format!("Unit {}", 1 + r / 3 % 400))
            } else {
                return None;
            }
        }
        "city" => Cow::Borrowed(base_city(seed, id).0),
        "province" => Cow::Borrowed(base_city(seed, id).1),
        "postal-code" => {
            let r = user_rand(seed, id, 11);
            let letters = b"ABCEGHJKLMNPRSTVWXYZ";
            Cow::Owned(format!(
                "{} {}{}{}",
                base_city(seed, id).2,
                r % 10,
                letters[(r / 10 % letters.len() as u64) as usize] as char,
                r / 1000 % 10
            ))
        }
        "country" => Cow::Borrowed("CA"),
        _ => return None,
    })
}

pub(super) fn base_user(seed: u64, id: u64) -> UserRec {
    let f = |k: &str| base_field(seed, id, k).map(Cow::into_owned);
    UserRec {
        username: base_username(seed, id),
        email: f("email"),
        first_name: f("first-name"),
        last_name: f("last-name"),
        birth_date: f("birth-date"),
        address_1: f("address-1"),
        address_2: f("address-2"),
        city: f("city"),
        province: f("province"),
        postal_code: f("postal-code"),
        country: f("country"),
        created_ms: base_created_ms(seed, id),
        updated_ms: base_updated_ms(seed, id),
    }
}

/// A generic record: the resources other than users, built on demand (or once, the catalogue).
#[derive(Debug, Clone)]
pub(super) struct Res {
    pub(super) id: u64,
    pub(super) attrs: Map<String, Value>,
    pub(super) created_ms: i64,
    /// The resource's own path, for its `self` link.
    pub(super) path: String,
}

pub(super) struct Catalog {
    pub(super) checklists: Vec<Res>,
    pub(super) levels: Vec<Res>,
    pub(super) sections: Vec<Res>,
    pub(super) skills: Vec<Res>,
    pub(super) tags: Vec<Res>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Input {
    CheckBoxes(u64),
    Radio,
    Points(u64),
    Text,
}

pub(super) const CHECKLIST_NAMES: &[&str] = &[
    "Swim Kids",
    "Swim for Life",
    "Bronze Cross",
    "National Lifeguard",
    "Water Safety Instructor",
    "First Aid",
    "Junior Lifeguard Club",
    "Adult Swim",
    "Figure Skating Basics",
    "Learn to Skate",
    "Gymnastics Foundations",
    "Soccer Skills",
];
pub(super) const SECTION_NAMES: &[&str] = &[
    "Water Entries",
    "Floats and Glides",
    "Strokes",
    "Endurance",
    "Rescue Skills",
    "Safety Knowledge",
    "Fitness",
    "Teamwork",
];
pub(super) const SKILL_NAMES: &[&str] = &[
    "Front float",
    "Back glide",
    "Flutter kick",
    "Front crawl 10 m",
    "Back crawl 15 m",
    "Treading water 1 min",
    "Sideways entry",
    "Reaching assist",
    "Throwing assist",
    "Breaststroke kick",
    "Rolling entry",
    "Surface support",
    "Whip kick",
    "Sculling",
    "Eggbeater",
    "Head-first entry",
];
pub(super) const TAG_NAMES: &[&str] = &[
    "Morning group",
    "Evening group",
    "Weekend",
    "Instructor",
    "Volunteer",
    "Scholarship",
    "Returning",
    "New member",
    "Competitive",
    "Recreational",
    "Needs follow-up",
    "Medical note",
    "Staff",
    "Summer camp",
    "Winter session",
    "Spring session",
    "Fall session",
    "Private lessons",
    "Adapted program",
    "Bilingual",
    "Leadership",
    "Parent-and-tot",
    "Team A",
    "Team B",
];
pub(super) const RADIO_OPTIONS: &[&str] = &["Not yet", "Emerging", "Proficient", "Mastered"];
pub(super) const CHECK_BOX_LABELS: &[&str] = &[
    "Demonstrated",
    "Correct body position",
    "Controlled breathing",
    "Steady rhythm",
    "Safe entry",
    "Good form",
    "Full distance",
    "Without support",
    "On command",
    "Consistent",
];
pub(super) const TEXT_NOTES: &[&str] = &[
    "Good progress this session.",
    "Needs more practice on breathing.",
    "Confident in deep water.",
    "Ready for the next level.",
    "Work on keeping legs straight.",
];

pub(super) fn catalog_rand(seed: u64, kind: u64, id: u64) -> u64 {
    mix(
        seed ^ CATALOG_SALT ^ kind.wrapping_mul(0x0100_0000_01B3),
        id,
    )
}

pub(super) fn catalog_times(seed: u64, kind: u64, id: u64) -> (i64, i64) {
    // 2012-01-01 .. 2014-12-31, then updated before the end of the data set.
    let r = catalog_rand(seed, kind, id);
    let created = DATA_START_MS + (r % (3 * 365 * DAY_MS as u64)) as i64;
    let updated = created + ((r >> 20) % (DATA_END_MS - created) as u64) as i64;
    (created, updated)
}

pub(super) fn skill_input(seed: u64, skill: u64) -> Input {
    let r = catalog_rand(seed, 4, skill);
    match r % 4 {
        0 | 1 => Input::CheckBoxes(2 + (r >> 8) % 9),
        2 => {
            if (r >> 8) % 2 == 0 {
                Input::Radio
            } else {
                Input::Points(5 + (r >> 12) % 6 * 5)
            }
        }
        _ => Input::Text,
    }
}

impl Catalog {
    pub(super) fn build(seed: u64, org: u64, variant: Option<Variant>) -> Catalog {
        let tag_count = if variant == Some(Variant::NewestFirst) {
            FEW_TAGS
        } else {
            TAGS
        };
        let make = CatalogMaker { seed, org };
        Catalog {
            checklists: (1..=CHECKLISTS).map(|id| make.checklist(id)).collect(),
            levels: (1..=LEVELS).map(|id| make.level(id)).collect(),
            sections: (1..=SECTIONS).map(|id| make.section(id)).collect(),
            skills: (1..=SKILLS).map(|id| make.skill(id)).collect(),
            tags: (1..=tag_count).map(|id| make.tag(id)).collect(),
        }
    }
}

/// Makes the catalog's resources, each derived from the seed and its id.
struct CatalogMaker {
    seed: u64,
    org: u64,
}

impl CatalogMaker {
    /// A resource with what every catalog resource has: its organization and its times.
    fn res(&self, kind: &'static str, salt: u64, id: u64, mut attrs: Map<String, Value>) -> Res {
        let (created, updated) = catalog_times(self.seed, salt, id);
        attrs.insert("organization-id".into(), json!(self.org));
        attrs.insert("created-at".into(), json!(fmt_time(created)));
        attrs.insert("updated-at".into(), json!(fmt_time(updated)));
        Res {
            id,
            attrs,
            created_ms: created,
            path: format!("/{kind}/{id}"),
        }
    }

    fn checklist(&self, id: u64) -> Res {
        let name = CHECKLIST_NAMES[(id - 1) as usize % CHECKLIST_NAMES.len()];
        self.res(
            "checklists",
            1,
            id,
            object(json!({
                "name": name,
                "description": format!("The {name} program: {LEVELS_PER_CHECKLIST} levels."),
            })),
        )
    }

    fn level(&self, id: u64) -> Res {
        let position = (id - 1) % LEVELS_PER_CHECKLIST + 1;
        self.res(
            "levels",
            2,
            id,
            object(json!({
                "name": format!("Level {position}"),
                "checklist-id": (id - 1) / LEVELS_PER_CHECKLIST + 1,
                "position": position,
            })),
        )
    }

    fn section(&self, id: u64) -> Res {
        self.res(
            "sections",
            3,
            id,
            object(json!({
                "name": pick(SECTION_NAMES, self.seed ^ CATALOG_SALT, id, 3),
                "level-id": (id - 1) / SECTIONS_PER_LEVEL + 1,
                "position": (id - 1) % SECTIONS_PER_LEVEL + 1,
            })),
        )
    }

    fn skill(&self, id: u64) -> Res {
        let section = (id - 1) / SKILLS_PER_SECTION + 1;
        let level = (section - 1) / SECTIONS_PER_LEVEL + 1;
        let mut attrs = object(json!({
            "name": pick(SKILL_NAMES, self.seed ^ CATALOG_SALT, id, 4),
            "section-id": section,
            "level-id": level,
            "checklist-id": (level - 1) / LEVELS_PER_CHECKLIST + 1,
            "position": (id - 1) % SKILLS_PER_SECTION + 1,
        }));
        insert_input_attrs(&mut attrs, skill_input(self.seed, id));
        self.res("skills", 4, id, attrs)
    }

    fn tag(&self, id: u64) -> Res {
        let r = catalog_rand(self.seed, 5, id);
        self.res(
            "tags",
            5,
            id,
            object(json!({
                "name": TAG_NAMES[(id - 1) as usize % TAG_NAMES.len()],
                "color": format!("#{:06x}", r & 0xFF_FFFF),
            })),
        )
    }
}

/// A skill's input type, and the labels, options or maximum that go with it.
fn insert_input_attrs(attrs: &mut Map<String, Value>, input: Input) {
    match input {
        Input::CheckBoxes(n) => {
            attrs.insert("input-type".into(), json!("check-boxes"));
            attrs.insert(
                "check-box-labels".into(),
                json!(CHECK_BOX_LABELS[..n as usize]),
            );
        }
        Input::Radio => {
            attrs.insert("input-type".into(), json!("radio-button"));
            attrs.insert("radio-button-options".into(), json!(RADIO_OPTIONS));
        }
        Input::Points(max) => {
            attrs.insert("input-type".into(), json!("points-slider"));
            attrs.insert("points-slider-max".into(), json!(max));
        }
        Input::Text => {
            attrs.insert("input-type".into(), json!("text-field"));
        }
    }
}

/// The members of a JSON object (nothing for any other value).
fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// A user's 8 assessments: the skills of block (user - 1) % BLOCKS; assessment k of user u has
/// id (u - 1) * 8 + k + 1, so an id names its user and its skill.
pub(super) fn assessment(app: &App, user: u64, k: u64) -> Res {
    let seed = app.seed;
    let id = (user - 1) * ASSESSMENTS_PER_USER + k + 1;
    let skill = ((user - 1) % BLOCKS) * ASSESSMENTS_PER_USER + k + 1;
    let r = mix(seed ^ ASSESSMENT_SALT, id);
    let uc = base_created_ms(seed, user);
    let span = (DATA_END_MS - uc).max(DAY_MS);
    let created = uc
        + span * (k as i64 + 1) / (ASSESSMENTS_PER_USER as i64 + 2)
        + (r % (DAY_MS as u64)) as i64;
    let mut attrs = Map::new();
    let shown_skill = if app.is(Fault::DanglingSkillId) {
        skill + DANGLING_OFFSET
    } else {
        skill
    };
    attrs.insert("skill-id".into(), json!(shown_skill));
    attrs.insert("evaluatee-id".into(), json!(user));
    attrs.insert(
        "evaluator-id".into(),
        json!(1 + (r >> 8) % app.size.clamp(1, 12)),
    );
    attrs.insert("organization-id".into(), json!(app.org_id));
    match skill_input(seed, skill) {
        Input::CheckBoxes(n) => {
            for i in 1..=n {
                attrs.insert(format!("check-box-{i}"), json!((r >> (16 + i)) & 1 == 1));
            }
        }
        Input::Radio => {
            attrs.insert(
                "radio-button".into(),
                json!(RADIO_OPTIONS[((r >> 16) % RADIO_OPTIONS.len() as u64) as usize]),
            );
        }
        Input::Points(max) => {
            attrs.insert("points-slider".into(), json!((r >> 16) % (max + 1)));
        }
        Input::Text => {
            attrs.insert(
                "text-field".into(),
                json!(TEXT_NOTES[((r >> 16) % TEXT_NOTES.len() as u64) as usize]),
            );
        }
    }
    attrs.insert("created-at".into(), record_time(app, created));
    Res {
        id,
        attrs,
        created_ms: created,
        path: format!("/users/{user}/assessments/{id}"),
    }
}

/// A user's credentials: attempts at the levels of one checklist, in order (a failed attempt
/// sometimes comes before the pass; the last level may still be in progress, pass null).
pub(super) fn credentials(app: &App, user: u64) -> Vec<Res> {
    let seed = app.seed;
    let r = mix(seed ^ CREDENTIAL_SALT, user);
    let checklist = r % CHECKLISTS;
    let levels = 1 + (r >> 8) % LEVELS_PER_CHECKLIST;
    let mut attempts: Vec<(u64, Option<bool>)> = Vec::new();
    for j in 0..levels {
        let level = checklist * LEVELS_PER_CHECKLIST + j + 1;
        if (r >> (16 + j)) & 1 == 1 {
            attempts.push((level, Some(false)));
        }
        let last = j + 1 == levels;
        attempts.push((
            level,
            if last && (r >> 24) % 3 == 0 {
                None
            } else {
                Some(true)
            },
        ));
    }
    let uc = base_created_ms(seed, user);
    let span = (DATA_END_MS - uc).max(DAY_MS);
    let n = attempts.len() as i64;
    attempts
        .into_iter()
        .enumerate()
        .map(|(k, (level, pass))| {
            let id = (user - 1) * CREDENTIAL_SLOTS + k as u64 + 1;
            let rr = mix(seed ^ CREDENTIAL_SALT, id);
            let created = uc + span * (k as i64 + 1) / (n + 2) + (rr % (DAY_MS as u64)) as i64;
            let mut attrs = Map::new();
            attrs.insert("created-at".into(), record_time(app, created));
            attrs.insert("evaluatee-id".into(), json!(user));
            attrs.insert(
                "evaluator-id".into(),
                json!(1 + (rr >> 8) % app.size.clamp(1, 12)),
            );
            attrs.insert("level-id".into(), json!(level));
            attrs.insert("organization-id".into(), json!(app.org_id));
            attrs.insert("pass".into(), json!(pass));
            Res {
                id,
                attrs,
                created_ms: created,
                path: format!("/users/{user}/credentials/{id}"),
            }
        })
        .collect()
}

pub(super) fn tag_applications(app: &App, user: u64) -> Vec<Res> {
    let r = mix(app.seed ^ TAG_SALT, user);
    let n = 1 + r % 3;
    let uc = base_created_ms(app.seed, user);
    (0..n)
        .map(|k| {
            let id = (user - 1) * TAG_APPLICATION_SLOTS + k + 1;
            let tag = ((r >> 8) + k * 7) % app.catalog.tags.len() as u64 + 1;
            let created = uc + (mix(app.seed ^ TAG_SALT, id) % (DATA_END_MS - uc) as u64) as i64;
            let mut attrs = Map::new();
            attrs.insert("tag-id".into(), json!(tag));
            attrs.insert("user-id".into(), json!(user));
            attrs.insert("organization-id".into(), json!(app.org_id));
            attrs.insert("created-at".into(), json!(fmt_time(created)));
            Res {
                id,
                attrs,
                created_ms: created,
                path: format!("/users/{user}/tag-applications"),
            }
        })
        .collect()
}

// ------------------------------------------------------------------------------------ users

/// The users' filterable attributes.
pub(super) fn user_value<'a>(
    app: &App,
    ov: &'a Overlay,
    id: u64,
    key: &str,
) -> Option<Cow<'a, str>> {
    match ov.users.get(&id) {
        Some(u) => u.field(key).map(Cow::Borrowed),
        None => base_field(app.seed, id, key),
    }
}

pub(super) fn user_created(app: &App, ov: &Overlay, id: u64) -> i64 {
    match ov.users.get(&id) {
        Some(u) => u.created_ms,
        None => base_created_ms(app.seed, id),
    }
}

pub(super) fn load_user(app: &App, ov: &Overlay, id: u64) -> Option<UserRec> {
    if id == 0 || id > ov.max_id() {
        return None;
    }
    Some(
        ov.users
            .get(&id)
            .cloned()
            .unwrap_or_else(|| base_user(app.seed, id)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birth_dates_fall_in_their_range() {
        let day = |y, m, d| time::days_from_civil(y, m, d).unwrap_or_default();
        assert_eq!(BIRTH_FROM_DAY, day(1950, 1, 1));
        assert_eq!(BIRTH_TO_DAY, day(2016, 1, 1));
        for id in 1..50 {
            let born = base_birth_date(7, id);
            let days = time::parse_date(&born).unwrap_or_default();
            assert!((BIRTH_FROM_DAY..BIRTH_TO_DAY).contains(&days), "{born}");
        }
    }

    #[test]
    fn users_alternate_around_2020() {
        for id in 1..200 {
            let c = base_created_ms(7, id);
            if id % 2 == 1 {
                assert!(c < EARLY_END_MS);
            } else {
                assert!((LATE_START_MS..USERS_END_MS).contains(&c));
            }
            assert!(base_updated_ms(7, id) >= c);
        }
    }
}
