//! The Checkvist mock over real HTTP: authentication (token parameter and header, basic with
//! password or Remote API key, 2-step accounts, refresh), the .json / .xml representations,
//! `_method`, checklists, task trees, import, tags, statuses, notes and timestamps; bad input;
//! concurrent writes; and one probe per fault, run against the faithful mock and the faulty one.

mod common;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{Auth, Response};
use regex::Regex;
use serde_json::{json, Value};
use specgate::exchange::xml;
use specgate::mock::{MockOptions, RunningMock};

const JSON_TS: &str = r"^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} \+0000$";
const ISO_TS: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$";

fn spec() -> &'static specgate::Spec {
    static SPEC: OnceLock<specgate::Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("specs/checkvist");
        specgate::load_spec(&dir).expect("the checkvist spec loads")
    })
}

/// Whether `v` is valid against the components schema `name` of the spec.
fn valid(name: &str, v: &Value) -> bool {
    spec()
        .api
        .schema_validator(name)
        .unwrap_or_else(|| panic!("no schema {name}"))
        .is_valid(v)
}

fn matches(re: &str, s: &str) -> bool {
    Regex::new(re).expect("a regex").is_match(s)
}

/// The session token as the `token` parameter, the way a run sends it.
fn param(token: impl Into<String>) -> Auth {
    Auth::Query("token".into(), token.into())
}

/// The session token in X-Client-Token.
fn header(token: impl Into<String>) -> Auth {
    Auth::Header("X-Client-Token".into(), token.into())
}

/// What these tests read in a Checkvist answer.
trait CheckvistAnswer {
    fn is_xml(&self) -> bool;
    fn is_json(&self) -> bool;
    fn xml(&self) -> xml::Element;
    fn sel(&self, path: &str) -> Vec<String>;
    fn ok(&self) -> bool;
}

impl CheckvistAnswer for Response {
    fn is_xml(&self) -> bool {
        self.content_type().starts_with("application/xml")
            || self.content_type().starts_with("text/xml")
    }

    fn is_json(&self) -> bool {
        self.content_type().starts_with("application/json")
    }

    fn xml(&self) -> xml::Element {
        xml::parse(self.text()).unwrap_or_default()
    }

    fn sel(&self, path: &str) -> Vec<String> {
        xml::select(&self.xml(), path)
    }

    fn ok(&self) -> bool {
        self.status == 200
    }
}

struct Cv {
    m: RunningMock,
    /// No credential of its own: each request names its way (`param`, `header`, basic).
    s: common::Session,
    token: String,
}

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn ids(v: &Value) -> Vec<u64> {
    v.as_array()
        .map(|a| a.iter().filter_map(|t| t["id"].as_u64()).collect())
        .unwrap_or_default()
}

fn id(v: &Value) -> u64 {
    v["id"].as_u64().unwrap_or(0)
}

fn sorted<T: PartialOrd>(v: &[T], asc: bool) -> bool {
    v.windows(2)
        .all(|w| if asc { w[0] <= w[1] } else { w[0] >= w[1] })
}

fn strings(v: &Value, field: &str) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x[field].as_str().map(str::to_string))
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

impl Cv {
    /// Start the mock (faithful or with `fault`) and log in with POST, as a run does.
    async fn start(fault: Option<&str>) -> Cv {
        Cv::login_to(common::mock("checkvist", fault).await).await
    }

    /// Start the faithful variant `variant` and log in.
    async fn start_variant(variant: &str) -> Cv {
        let m = specgate::mock::start(
            "checkvist",
            MockOptions {
                variant: Some(variant.to_string()),
                ..MockOptions::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("the variant {variant} does not start: {e}"));
        Cv::login_to(m).await
    }

    async fn login_to(m: RunningMock) -> Cv {
        let s = common::Session::of(&m);
        let mut cv = Cv {
            m,
            s,
            token: String::new(),
        };
        let (u, k) = (cv.cred("username"), cv.cred("remote_key"));
        let r = cv
            .send(
                "POST",
                "/auth/login.json?version=2",
                Auth::None,
                &[("username", &u), ("remote_key", &k)],
            )
            .await;
        assert_eq!(r.status, 200, "login: {}", r.text());
        cv.token = r.json()["token"].as_str().unwrap_or_default().to_string();
        cv
    }

    fn cred(&self, name: &str) -> String {
        self.m
            .target
            .credentials
            .get(name)
            .unwrap_or_else(|| panic!("no credential {name}"))
            .to_string()
    }

    /// The session token as the `token` parameter.
    fn by_param(&self) -> Auth {
        param(&self.token)
    }

    /// The session token in X-Client-Token.
    fn by_header(&self) -> Auth {
        header(&self.token)
    }

    async fn send(&self, method: &str, path: &str, auth: Auth, body: &[(&str, &str)]) -> Response {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let mut request = self.s.request(method, path).auth(auth);
        if !body.is_empty() {
            request = request.form(body);
        }
        let r = request.send().await;
        assert!(
            r.status < 500,
            "{} on {}: {}",
            r.status,
            self.s.url(path),
            r.text()
        );
        r
    }

    async fn get(&self, path: &str) -> Response {
        self.send("GET", path, self.by_param(), &[]).await
    }

    async fn post(&self, path: &str, body: &[(&str, &str)]) -> Response {
        self.send("POST", path, self.by_param(), body).await
    }

    async fn put(&self, path: &str, body: &[(&str, &str)]) -> Response {
        self.send("PUT", path, self.by_param(), body).await
    }

    async fn del(&self, path: &str) -> Response {
        self.send("DELETE", path, self.by_param(), &[]).await
    }

    async fn login(&self, user: &str, key: &str, extra: &[(&str, &str)]) -> Response {
        let mut body = vec![("username", user), ("remote_key", key)];
        body.extend_from_slice(extra);
        self.send("POST", "/auth/login.json?version=2", Auth::None, &body)
            .await
    }

    async fn fresh_token(&self) -> String {
        let r = self
            .login(&self.cred("username"), &self.cred("remote_key"), &[])
            .await;
        r.json()["token"].as_str().unwrap_or_default().to_string()
    }

    /// A new checklist of the user; its id.
    async fn list(&self, name: &str) -> u64 {
        let r = self
            .post("/checklists.json", &[("checklist[name]", name)])
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        id(&r.json())
    }

    /// A new task in `list`; its JSON.
    async fn task(&self, list: u64, body: &[(&str, &str)]) -> Value {
        let r = self
            .post(&format!("/checklists/{list}/tasks.json"), body)
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    }

    async fn task_named(&self, list: u64, content: &str) -> u64 {
        id(&self.task(list, &[("task[content]", content)]).await)
    }

    async fn child(&self, list: u64, content: &str, parent: u64) -> u64 {
        let p = parent.to_string();
        id(&self
            .task(list, &[("task[content]", content), ("task[parent_id]", &p)])
            .await)
    }

    async fn tasks(&self, list: u64) -> Value {
        self.get(&format!("/checklists/{list}/tasks.json"))
            .await
            .json()
    }

    async fn get_task(&self, list: u64, task: u64) -> Value {
        self.get(&format!("/checklists/{list}/tasks/{task}.json"))
            .await
            .json()
    }

    async fn checklist(&self, list: u64) -> Value {
        self.get(&format!("/checklists/{list}.json")).await.json()
    }

    async fn status(&self, list: u64, task: u64, action: &str) -> Response {
        self.post(
            &format!("/checklists/{list}/tasks/{task}/{action}.json"),
            &[],
        )
        .await
    }

    async fn note(&self, list: u64, task: u64, text: &str) -> Value {
        let r = self
            .post(
                &format!("/checklists/{list}/tasks/{task}/comments.json"),
                &[("comment[comment]", text)],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    }

    async fn import(&self, list: u64, body: &[(&str, &str)]) -> Response {
        self.post(&format!("/checklists/{list}/import.json"), body)
            .await
    }

    async fn shutdown(self) {
        self.m.shutdown().await;
    }
}

// ---------------------------------------------------------------------------- behaviours

#[tokio::test]
async fn login_tokens_and_every_auth_scheme() {
    let cv = Cv::start(None).await;
    let (user, key, pw) = (
        cv.cred("username"),
        cv.cred("remote_key"),
        cv.cred("password"),
    );
    // Login by GET and POST, with the key or the password; a JSON object with the token.
    let get = cv
        .send(
            "GET",
            &format!("/auth/login.json?version=2&username={user}&remote_key={key}"),
            Auth::None,
            &[],
        )
        .await;
    assert_eq!(get.status, 200);
    assert!(
        get.is_json() && valid("Token", &get.json()),
        "{}",
        get.text()
    );
    for k in [&key, &pw] {
        let r = cv.login(&user, k, &[]).await;
        assert_eq!(r.status, 200);
        assert!(valid("Token", &r.json()));
    }
    // Refusals: 401.
    assert_eq!(cv.login(&user, "wrong", &[]).await.status, 401);
    assert_eq!(
        cv.login("nobody@example.invalid", &key, &[]).await.status,
        401
    );
    assert_eq!(cv.login("", "", &[]).await.status, 401);
    // Each scheme reads the user's lists; basic with the key or the password.
    for auth in [
        cv.by_param(),
        cv.by_header(),
        Auth::Basic(user.clone(), key.clone()),
        Auth::Basic(user.clone(), pw.clone()),
    ] {
        let r = cv.send("GET", "/checklists.json", auth, &[]).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(valid("ChecklistList", &r.json()));
    }
    // Wrong or missing credentials on a non-public list: 4xx; on the list of lists too.
    for auth in [
        Auth::None,
        param("bogus"),
        header("bogus"),
        Auth::Basic(user.clone(), "wrong".into()),
        Auth::Basic("nobody".into(), key.clone()),
    ] {
        let r = cv
            .send("GET", "/checklists/1.json", auth.clone(), &[])
            .await;
        assert_eq!(r.status, 401, "{}", r.text());
        let r = cv.send("GET", "/checklists.json", auth, &[]).await;
        assert_eq!(r.status, 401);
    }
    // The current user, JSON and XML.
    let me = cv.get("/auth/curr_user.json").await;
    assert_eq!(me.json()["email"], json!(user));
    let me = cv.get("/auth/curr_user.xml").await;
    assert!(me.is_xml());
    assert_eq!(me.sel("user/email"), vec![user.clone()]);
    // Writes work with the header and with basic authentication.
    let r = cv
        .send(
            "POST",
            "/checklists.json",
            cv.by_header(),
            &[("checklist[name]", "h")],
        )
        .await;
    let list = id(&r.json());
    let r = cv
        .send(
            "POST",
            &format!("/checklists/{list}/tasks.json"),
            Auth::Basic(user.clone(), key.clone()),
            &[("task[content]", "basic write")],
        )
        .await;
    assert_eq!(r.status, 200);
    cv.shutdown().await;
}

#[tokio::test]
async fn two_step_accounts_and_token_refresh() {
    let cv = Cv::start(None).await;
    let (tu, tp, tk) = (
        cv.cred("twofa_username"),
        cv.cred("twofa_password"),
        cv.cred("twofa_remote_key"),
    );
    // Password without a code, or with a wrong one: 422 {"error": "..."}.
    for extra in [vec![], vec![("token2fa", "000000")]] {
        let r = cv.login(&tu, &tp, &extra).await;
        assert_eq!(r.status, 422);
        assert!(
            r.is_json() && valid("TwoFactorError", &r.json()),
            "{}",
            r.text()
        );
    }
    // The Remote API key needs no code; a wrong password is still 401.
    assert_eq!(cv.login(&tu, &tk, &[]).await.status, 200);
    assert_eq!(cv.login(&tu, "wrong", &[]).await.status, 401);
    // The 2-step user sees none of the main user's lists.
    let t2 = cv.login(&tu, &tk, &[]).await.json()["token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mine = cv
        .send("GET", "/checklists.json", param(t2.clone()), &[])
        .await;
    assert_eq!(mine.json(), json!([]));
    let other = cv.send("GET", "/checklists/1.json", param(t2), &[]).await;
    assert_eq!(other.status, 403);

    // Refresh (POST and GET): a new token, the old one is deleted.
    for method in ["POST", "GET"] {
        let old = cv.fresh_token().await;
        let r = if method == "POST" {
            cv.send(
                "POST",
                "/auth/refresh_token.json?version=2",
                Auth::None,
                &[("old_token", &old)],
            )
            .await
        } else {
            cv.send(
                "GET",
                &format!("/auth/refresh_token.json?version=2&old_token={old}"),
                Auth::None,
                &[],
            )
            .await
        };
        assert_eq!(r.status, 200);
        let new = r.json()["token"].as_str().unwrap_or_default().to_string();
        assert!(!new.is_empty() && new != old);
        let with_old = cv
            .send("GET", "/checklists.json", param(old.clone()), &[])
            .await;
        assert_eq!(with_old.status, 401);
        let with_new = cv.send("GET", "/checklists.json", header(new), &[]).await;
        assert_eq!(with_new.status, 200);
        let again = cv
            .send(
                "POST",
                "/auth/refresh_token.json",
                Auth::None,
                &[("old_token", &old)],
            )
            .await;
        assert_eq!(again.status, 401);
    }
    let bad = cv
        .send(
            "GET",
            "/auth/refresh_token.json?old_token=nope",
            Auth::None,
            &[],
        )
        .await;
    assert_eq!(bad.status, 401);
    // The expired token: refused on calls, refreshable (and, being the target's fixture,
    // refreshable again).
    let expired = cv.cred("expired_token");
    let r = cv
        .send("GET", "/checklists.json", param(expired.clone()), &[])
        .await;
    assert_eq!(r.status, 401);
    for _ in 0..2 {
        let r = cv
            .send(
                "GET",
                &format!("/auth/refresh_token.json?version=2&old_token={expired}"),
                Auth::None,
                &[],
            )
            .await;
        assert_eq!(r.status, 200);
        let new = r.json()["token"].as_str().unwrap_or_default().to_string();
        assert_ne!(new, expired);
        let ok = cv.send("GET", "/checklists.json", param(new), &[]).await;
        assert_eq!(ok.status, 200);
    }
    // Login and refresh exist as .json only.
    assert_eq!(
        cv.send("GET", "/auth/login.xml", Auth::None, &[])
            .await
            .status,
        404
    );
    let r = cv.send("PUT", "/auth/login.json", Auth::None, &[]).await;
    assert_eq!(r.status, 405);
    assert!(r.header("allow").unwrap_or_default().contains("POST"));
    cv.shutdown().await;
}

#[tokio::test]
async fn checklists_listing_orders_filters_and_stats() {
    let cv = Cv::start(None).await;
    let all = cv.get("/checklists.json").await.json();
    assert!(valid("ChecklistList", &all), "{all}");
    assert!(all.as_array().map_or(0, Vec::len) >= 5);
    assert!(sorted(&strings(&all, "updated_at"), false), "recent first");
    assert!(all
        .as_array()
        .into_iter()
        .flatten()
        .all(|l| l["archived"] == json!(false)));
    assert!(all
        .as_array()
        .into_iter()
        .flatten()
        .any(|l| l["public"] == json!(false)));
    assert!(all
        .as_array()
        .into_iter()
        .flatten()
        .any(|l| l["public"] == json!(true)));
    assert!(all
        .as_array()
        .into_iter()
        .flatten()
        .all(|l| l["task_count"].is_u64()));
    for (q, asc) in [("id:asc", true), ("id:desc", false)] {
        let v = cv.get(&format!("/checklists.json?order={q}")).await.json();
        assert!(sorted(&ids(&v), asc), "{q}");
    }
    let v = cv.get("/checklists.json?order=updated_at:asc").await.json();
    assert!(sorted(&strings(&v, "updated_at"), true));
    let archived = cv.get("/checklists.json?archived=true").await.json();
    assert!(!ids(&archived).is_empty());
    assert!(archived
        .as_array()
        .into_iter()
        .flatten()
        .all(|l| l["archived"] == json!(true)));
    let skip = cv.get("/checklists.json?skip_stats=true").await.json();
    assert!(skip
        .as_array()
        .into_iter()
        .flatten()
        .all(|l| l.get("task_count").is_none()));
    assert!(valid("ChecklistList", &skip));
    // XML: <checklists><checklist>, the same ids, ISO timestamps.
    let x = cv.get("/checklists.xml?order=id:asc").await;
    assert!(x.is_xml());
    let jid: Vec<String> = ids(&cv.get("/checklists.json?order=id:asc").await.json())
        .iter()
        .map(u64::to_string)
        .collect();
    assert_eq!(x.sel("checklists/checklist/id"), jid);
    assert!(x
        .sel("checklists/*/updated_at")
        .iter()
        .all(|t| matches(ISO_TS, t)));
    // One checklist.
    let one = cv.checklist(1).await;
    assert!(valid("Checklist", &one));
    assert_eq!(one["role"], json!(1));
    assert!(matches(JSON_TS, one["updated_at"].as_str().unwrap_or("")));
    let x = cv.get("/checklists/1.xml").await;
    assert_eq!(x.sel("checklist/id"), vec!["1"]);
    assert_eq!(cv.get("/checklists/999999.json").await.status, 404);
    cv.shutdown().await;
}

#[tokio::test]
async fn checklist_lifecycle_publicity_and_method_override() {
    let cv = Cv::start(None).await;
    let r = cv
        .post(
            "/checklists.json",
            &[("checklist[name]", "mine"), ("checklist[public]", "0")],
        )
        .await;
    let created = r.json();
    assert!(valid("Checklist", &created), "{created}");
    assert_eq!(
        (
            &created["public"],
            &created["role"],
            &created["read_only"],
            &created["archived"]
        ),
        (&json!(false), &json!(1), &json!(false), &json!(false))
    );
    let list = id(&created);
    let task = cv.task_named(list, "private task").await;
    for path in [
        format!("/checklists/{list}.json"),
        format!("/checklists/{list}/tasks.json"),
        format!("/checklists/{list}/tasks/{task}.json"),
    ] {
        assert_eq!(cv.send("GET", &path, Auth::None, &[]).await.status, 401);
    }
    let r = cv
        .put(
            &format!("/checklists/{list}.json"),
            &[("checklist[name]", "renamed")],
        )
        .await;
    assert_eq!(
        (r.json()["name"].clone(), r.json()["public"].clone()),
        (json!("renamed"), json!(false))
    );
    let r = cv
        .put(
            &format!("/checklists/{list}.json"),
            &[("checklist[public]", "1")],
        )
        .await;
    assert_eq!(r.json()["public"], json!(true));
    // Public now: readable by anyone, read-only.
    let anon = cv
        .send("GET", &format!("/checklists/{list}.json"), Auth::None, &[])
        .await;
    assert_eq!(anon.status, 200);
    assert_eq!(
        (
            anon.json()["role"].clone(),
            anon.json()["read_only"].clone()
        ),
        (json!(3), json!(true))
    );
    let anon = cv
        .send(
            "GET",
            &format!("/checklists/{list}/tasks.xml"),
            Auth::None,
            &[],
        )
        .await;
    assert!(anon.is_xml() && anon.ok());
    let w = cv
        .send(
            "POST",
            &format!("/checklists/{list}/tasks.json"),
            Auth::None,
            &[("task[content]", "x")],
        )
        .await;
    assert_eq!(w.status, 401);
    assert_eq!(ids(&cv.tasks(list).await), vec![task]);
    // _method=PUT and _method=DELETE, in the body or the query.
    let r = cv
        .post(
            &format!("/checklists/{list}.json"),
            &[("_method", "PUT"), ("checklist[name]", "via override")],
        )
        .await;
    assert_eq!(r.json()["name"], json!("via override"));
    assert_eq!(cv.checklist(list).await["name"], json!("via override"));
    let r = cv
        .post(&format!("/checklists/{list}.json?_method=delete"), &[])
        .await;
    assert_eq!(
        (id(&r.json()), r.json()["name"].clone()),
        (list, json!("via override"))
    );
    assert_eq!(
        cv.get(&format!("/checklists/{list}.json")).await.status,
        404
    );
    assert!(!ids(&cv.get("/checklists.json").await.json()).contains(&list));
    // Through .xml.
    let r = cv
        .post("/checklists.xml", &[("checklist[name]", "as xml")])
        .await;
    assert!(r.is_xml());
    assert_eq!(r.sel("checklist/name"), vec!["as xml"]);
    assert_eq!(r.sel("checklist/role"), vec!["1"]);
    let xid: u64 = r.sel("checklist/id")[0].parse().unwrap_or(0);
    let r = cv
        .put(
            &format!("/checklists/{xid}.xml"),
            &[("checklist[name]", "xml renamed")],
        )
        .await;
    assert_eq!(r.sel("checklist/name"), vec!["xml renamed"]);
    let r = cv.del(&format!("/checklists/{xid}.xml")).await;
    assert_eq!(r.sel("checklist/name"), vec!["xml renamed"]);
    // A seeded list can be written (materialised) and keeps its other tasks.
    let before = ids(&cv.tasks(1).await).len();
    cv.task_named(1, "added to a seeded list").await;
    assert_eq!(ids(&cv.tasks(1).await).len(), before + 1);
    cv.shutdown().await;
}

#[tokio::test]
async fn task_trees_positions_orders_and_counts() {
    let cv = Cv::start(None).await;
    // Seeded data: sorted by parent_id, then position, without `deleted`.
    let seeded = cv.tasks(1).await;
    assert!(valid("TaskList", &seeded), "{seeded}");
    let parents: Vec<u64> = seeded
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["parent_id"].as_u64())
        .collect();
    assert!(sorted(&parents, true));
    assert!(
        !sorted(&ids(&seeded), true),
        "position order is not id order"
    );
    assert!(seeded
        .as_array()
        .into_iter()
        .flatten()
        .all(|t| t.get("deleted").is_none()));
    assert!(sorted(
        &strings(
            &cv.get("/checklists/1/tasks.json?order=updated_at:asc")
                .await
                .json(),
            "updated_at"
        ),
        true
    ));
    let x = cv.get("/checklists/1/tasks.xml").await;
    let jid: Vec<String> = ids(&seeded).iter().map(u64::to_string).collect();
    assert_eq!(x.sel("tasks/task/id"), jid);
    assert!(x.sel("tasks/*/updated_at").is_empty() && x.sel("tasks/*/created_at").is_empty());

    let list = cv.list("tree").await;
    let a = cv
        .task(
            list,
            &[
                ("task[content]", "A"),
                ("task[tags]", "x,y"),
                ("task[priority]", "3"),
            ],
        )
        .await;
    assert!(valid("Task", &a), "{a}");
    assert_eq!(
        (
            &a["parent_id"],
            &a["position"],
            &a["status"],
            &a["priority"],
            &a["tasks"]
        ),
        (&json!(0), &json!(1), &json!(0), &json!(3), &json!([]))
    );
    assert_eq!(a["tags"], json!({"x": false, "y": false}));
    assert!(matches(JSON_TS, a["created_at"].as_str().unwrap_or("")));
    let a = id(&a);
    let b = cv.task_named(list, "B").await;
    let c = cv
        .task(list, &[("task[content]", "C"), ("task[position]", "1")])
        .await;
    assert_eq!(c["position"], json!(1));
    let c = id(&c);
    assert_eq!(ids(&cv.tasks(list).await), vec![c, a, b]);
    assert_eq!(
        ids(&cv
            .get(&format!("/checklists/{list}/tasks.json?order=id:asc"))
            .await
            .json()),
        vec![a, b, c]
    );
    assert_eq!(
        ids(&cv
            .get(&format!("/checklists/{list}/tasks.json?order=id:desc"))
            .await
            .json()),
        vec![c, b, a]
    );
    let d = cv.task(list, &[("task[content]", "D")]).await;
    assert_eq!(d["position"], json!(4));
    // Children, the parents chain, the `tasks` array, leaf counts.
    let a1 = cv.child(list, "a1", a).await;
    let a11 = cv.child(list, "a11", a1).await;
    let chain = cv.get_task(list, a11).await;
    assert!(valid("TaskList", &chain));
    assert_eq!(ids(&chain), vec![a11, a1, a]);
    assert_eq!(chain[2]["parent_id"], json!(0));
    assert_eq!(cv.get_task(list, a).await[0]["tasks"], json!([a1]));
    let x = cv.get(&format!("/checklists/{list}/tasks/{a11}.xml")).await;
    assert_eq!(x.sel("tasks/task/id").len(), 3);
    cv.status(list, b, "close").await;
    let counts = cv.checklist(list).await;
    // Leaves: C, a11, B, D (A and a1 have children); closed: B.
    assert_eq!(
        (
            counts["task_count"].clone(),
            counts["task_completed"].clone()
        ),
        (json!(4), json!(1))
    );
    let created = cv
        .post(
            &format!("/checklists/{list}/tasks.xml"),
            &[("task[content]", "xml")],
        )
        .await;
    assert!(created.is_xml());
    assert_eq!(created.sel("task/parent_id"), vec![""]);
    assert_eq!(created.sel("task/content"), vec!["xml"]);
    // Status given on create.
    for s in ["1", "2"] {
        assert_eq!(
            cv.task(list, &[("task[content]", "s"), ("task[status]", s)])
                .await["status"],
            json!(s.parse::<u8>().unwrap_or(0))
        );
    }
    // Bad parent, position, priority, status: 400.
    for bad in [
        ("task[parent_id]", "999999999"),
        ("task[position]", "0"),
        ("task[priority]", "10"),
        ("task[status]", "7"),
        ("task[priority]", "high"),
        ("task[position]", "-1"),
    ] {
        let r = cv
            .post(
                &format!("/checklists/{list}/tasks.json"),
                &[("task[content]", "x"), bad],
            )
            .await;
        assert_eq!(r.status, 400, "{bad:?}");
    }
    cv.shutdown().await;
}

#[tokio::test]
async fn import_in_all_its_forms() {
    let cv = Cv::start(None).await;
    let list = cv.list("import").await;
    let existing = cv.task_named(list, "existing").await;
    let r = cv
        .import(list, &[("import_content", "one\ntwo\n  two child\nthree")])
        .await;
    let got = r.json();
    assert!(valid("TaskList", &got), "{got}");
    let contents: Vec<&str> = got
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["content"].as_str())
        .collect();
    assert_eq!(contents, vec!["one", "two", "two child", "three"]);
    assert_eq!(got[2]["parent_id"], json!(id(&got[1])));
    let all = cv.tasks(list).await;
    let roots: Vec<&str> = all
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["parent_id"] == json!(0))
        .filter_map(|t| t["content"].as_str())
        .collect();
    assert_eq!(roots, vec!["one", "two", "three", "existing"]);
    assert_eq!(all[3]["id"], json!(existing));
    assert_eq!(all[3]["position"], json!(4));
    // Position, parent, status, note, smart syntax.
    let r = cv
        .import(
            list,
            &[
                ("import_content", "at two #tg !4\nnext"),
                ("position", "2"),
                ("status", "1"),
                ("import_content_note", "the note"),
                ("parse_tasks", "1"),
            ],
        )
        .await
        .json();
    assert_eq!(
        (
            r[0]["position"].clone(),
            r[0]["status"].clone(),
            r[1]["status"].clone()
        ),
        (json!(2), json!(1), json!(0))
    );
    assert_eq!(
        (
            r[0]["content"].clone(),
            r[0]["tags"].clone(),
            r[0]["priority"].clone()
        ),
        (json!("at two"), json!({"tg": false}), json!(4))
    );
    assert_eq!(r[0]["comments_count"], json!(1));
    assert_eq!(r[1]["position"], json!(3));
    let p = existing.to_string();
    let r = cv
        .import(list, &[("import_content", "under"), ("parent_id", &p)])
        .await
        .json();
    assert_eq!(r[0]["parent_id"], json!(existing));
    assert!(cv.get_task(list, existing).await[0]["tasks"]
        .as_array()
        .is_some_and(|a| a.contains(&json!(id(&r[0])))));
    // Separators.
    let r = cv
        .import(
            list,
            &[
                ("import_content", "a\nb\nc"),
                ("separate_with_empty_line", "singleItem"),
            ],
        )
        .await
        .json();
    assert_eq!(ids(&r).len(), 1);
    assert_eq!(r[0]["content"], json!("a\nb\nc"));
    let r = cv
        .import(
            list,
            &[
                ("import_content", "a1\na2\n\n\nb"),
                ("separate_with_empty_line", "yes"),
            ],
        )
        .await
        .json();
    assert_eq!((ids(&r).len(), r[1]["content"].clone()), (2, json!("b")));
    // XML, a tag: target, multipart, replace.
    let x = cv
        .post(
            &format!("/checklists/{list}/import.xml"),
            &[("import_content", "x1\nx2")],
        )
        .await;
    assert_eq!(x.sel("tasks/task/content"), vec!["x1", "x2"]);
    let tagged = cv.import(1, &[("import_content", "probe")]).await;
    assert!(tagged.ok());
    let r = cv
        .post(
            "/checklists/tag%3Awork/import.json",
            &[("import_content", "tagged import")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()[0]["checklist_id"], json!(1));
    // reqwest's multipart feature is off: the body is written by hand.
    let body = "--B\r\nContent-Disposition: form-data; name=\"import_content\"\r\n\r\nfrom multipart\r\n--B--\r\n";
    let resp =
        cv.s.post(&format!("/checklists/{list}/import.json"))
            .auth(cv.by_param())
            .header("content-type", "multipart/form-data; boundary=B")
            .body(body)
            .send()
            .await;
    let v: Value = resp.json();
    assert_eq!(v[0]["content"], json!("from multipart"));
    let r = cv
        .import(
            list,
            &[("import_content", "only this"), ("replace_existing", "1")],
        )
        .await;
    assert!(r.ok());
    let left = cv.tasks(list).await;
    assert_eq!(ids(&left).len(), 1);
    assert_eq!(left[0]["content"], json!("only this"));
    cv.shutdown().await;
}

#[tokio::test]
async fn updates_tags_statuses_repeat_and_delete() {
    let cv = Cv::start(None).await;
    let list = cv.list("updates").await;
    let t = id(&cv
        .task(list, &[("task[content]", "orig"), ("task[tags]", "a,b")])
        .await);
    cv.status(list, t, "close").await;
    let path = format!("/checklists/{list}/tasks/{t}.json");
    let r = cv
        .put(
            &path,
            &[
                ("task[content]", "upd"),
                ("task[priority]", "5"),
                ("task[status]", "0"),
                ("task[tags]", "c"),
            ],
        )
        .await
        .json();
    assert!(valid("Task", &r), "{r}");
    assert_eq!(
        (
            r["content"].clone(),
            r["priority"].clone(),
            r["status"].clone(),
            r["tags"].clone()
        ),
        (json!("upd"), json!(5), json!(1), json!({"c": false}))
    );
    assert!(matches(JSON_TS, r["updated_at"].as_str().unwrap_or("")));
    let r = cv.put(&path, &[("task[tags][h]", "false")]).await.json();
    assert_eq!(r["tags"], json!({"h": false}));
    let r = cv
        .put(&path, &[("task[tags_as_text]", "p, q")])
        .await
        .json();
    assert_eq!(r["tags"], json!({"p": false, "q": false}));
    let r = cv
        .put(
            &path,
            &[("task[assignee_ids][]", "1"), ("task[assignee_ids][]", "2")],
        )
        .await
        .json();
    assert_eq!(r["assignee_ids"], json!([1, 2]));
    let r = cv.put(&path, &[("task[priority]", "0")]).await.json();
    assert_eq!(r["priority"], Value::Null);
    let r = cv
        .put(
            &path,
            &[("task[content]", "now #parsed ^friday"), ("parse", "true")],
        )
        .await
        .json();
    assert_eq!(
        (r["content"].clone(), r["due"].clone()),
        (json!("now"), json!("friday"))
    );
    assert!(r["tags"].get("parsed").is_some());
    let x = cv
        .put(
            &format!("/checklists/{list}/tasks/{t}.xml"),
            &[("task[content]", "as xml")],
        )
        .await;
    assert_eq!(
        (x.sel("task/content"), x.sel("task/status")),
        (vec!["as xml".to_string()], vec!["1".to_string()])
    );
    // JSON bodies work too, nested as the form names say.
    let resp =
        cv.s.put(&path)
            .auth(cv.by_param())
            .json(&json!({"task": {"content": "from json", "tags": {"j": false}}}))
            .send()
            .await;
    let v: Value = resp.json();
    assert_eq!(
        (v["content"].clone(), v["tags"].clone()),
        (json!("from json"), json!({"j": false}))
    );
    // Moves.
    let a = cv.task_named(list, "A").await;
    let b = cv.task_named(list, "B").await;
    let r = cv
        .put(
            &format!("/checklists/{list}/tasks/{b}.json"),
            &[("task[position]", "1")],
        )
        .await
        .json();
    assert_eq!(r["position"], json!(1));
    assert_eq!(ids(&cv.tasks(list).await)[..2], [b, t]);
    let pa = a.to_string();
    let r = cv
        .put(
            &format!("/checklists/{list}/tasks/{b}.json"),
            &[("task[parent_id]", &pa)],
        )
        .await
        .json();
    assert_eq!(r["parent_id"], json!(a));
    assert_eq!(ids(&cv.get_task(list, b).await), vec![b, a]);
    let pb = b.to_string();
    let cyc = cv
        .put(
            &format!("/checklists/{list}/tasks/{a}.json"),
            &[("task[parent_id]", &pb)],
        )
        .await;
    assert_eq!(cyc.status, 400, "a task cannot move under its own child");
    // The tags call.
    let x1 = id(&cv
        .task(list, &[("task[content]", "x1"), ("task[tags]", "k,m")])
        .await);
    let x2 = id(&cv
        .task(list, &[("task[content]", "x2"), ("task[tags]", "k")])
        .await);
    let tp = format!("/checklists/{list}/tasks/{x1}/tags.json");
    let r = cv
        .post(&tp, &[("delete_tag", "k"), ("task_ids", &x2.to_string())])
        .await
        .json();
    assert!(valid("TaskList", &r));
    assert_eq!(ids(&r), vec![x1, x2]);
    assert_eq!(
        (r[0]["tags"].clone(), r[1]["tags"].clone()),
        (json!({"m": false}), json!({}))
    );
    let r = cv
        .post(&tp, &[("tags", "s1 s2"), ("task_ids", &x2.to_string())])
        .await
        .json();
    assert_eq!(r[1]["tags"], json!({"s1": false, "s2": false}));
    let r = cv
        .post(&tp, &[("delete_tag", "s1"), ("tags", "zz")])
        .await
        .json();
    assert_eq!(r[0]["tags"], json!({"s2": false}));
    // Status changes: leaf, cascade, cumulative.
    let p = cv.task_named(list, "P").await;
    let c1 = cv.child(list, "c1", p).await;
    let c2 = cv.child(list, "c2", p).await;
    let r = cv.status(list, c1, "close").await.json();
    assert_eq!((ids(&r), r[0]["status"].clone()), (vec![c1], json!(1)));
    assert_eq!(cv.get_task(list, p).await[0]["status"], json!(0));
    cv.status(list, c2, "invalidate").await;
    assert_eq!(cv.get_task(list, p).await[0]["status"], json!(1));
    let r = cv.status(list, p, "invalidate").await.json();
    assert!(valid("TaskList", &r));
    assert_eq!(ids(&r), vec![p, c1, c2]);
    assert!(r
        .as_array()
        .into_iter()
        .flatten()
        .all(|t| t["status"] == json!(2)));
    let r = cv.status(list, p, "reopen").await.json();
    assert!(r
        .as_array()
        .into_iter()
        .flatten()
        .all(|t| t["status"] == json!(0)));
    let x = cv
        .post(&format!("/checklists/{list}/tasks/{p}/close.xml"), &[])
        .await;
    assert_eq!(x.sel("tasks/task/status"), vec!["1", "1", "1"]);
    assert_eq!(
        cv.post(&format!("/checklists/{list}/tasks/{p}/explode.json"), &[])
            .await
            .status,
        404
    );
    // Repeat.
    let rp = format!("/checklists/{list}/tasks/{p}/repeat.json");
    let r = cv
        .post(
            &rp,
            &[("repeat[period]", "weekly"), ("repeat[period_count]", "2")],
        )
        .await
        .json();
    assert!(valid("Task", &r));
    assert_eq!(id(&r), p);
    assert_eq!(
        cv.post(&rp, &[("repeat[period]", "hourly")]).await.status,
        400
    );
    assert_eq!(
        cv.post(
            &rp,
            &[("repeat[period]", "daily"), ("repeat[period_count]", "0")]
        )
        .await
        .status,
        400
    );
    // Delete with children.
    let r = cv
        .del(&format!("/checklists/{list}/tasks/{p}.json"))
        .await
        .json();
    assert!(valid("Task", &r));
    assert_eq!((id(&r), r["deleted"].clone()), (p, json!(true)));
    let left = ids(&cv.tasks(list).await);
    assert!(!left.contains(&p) && !left.contains(&c1) && !left.contains(&c2));
    assert_eq!(
        cv.get_task(list, c1).await,
        json!({"error": "task not found"})
    );
    let x = cv.del(&format!("/checklists/{list}/tasks/{x2}.xml")).await;
    assert_eq!(x.sel("task/deleted"), vec!["true"]);
    cv.shutdown().await;
}

#[tokio::test]
async fn notes_with_notes_and_timestamps() {
    let cv = Cv::start(None).await;
    let list = cv.list("notes").await;
    let t = cv.task_named(list, "noted").await;
    let before = cv.checklist(list).await["updated_at"].clone();
    let n = cv.note(list, t, "first").await;
    assert!(valid("Note", &n), "{n}");
    assert_eq!(
        (n["task_id"].clone(), n["user_id"].clone()),
        (json!(t), json!(1))
    );
    assert!(matches(JSON_TS, n["created_at"].as_str().unwrap_or("")));
    assert_eq!(
        cv.checklist(list).await["updated_at"],
        before,
        "notes leave updated_at"
    );
    let nid = id(&n);
    assert_eq!(cv.get_task(list, t).await[0]["comments_count"], json!(1));
    let with = cv
        .get(&format!("/checklists/{list}/tasks.json?with_notes=true"))
        .await
        .json();
    assert_eq!(with[0]["notes"][0]["id"], json!(nid));
    let with = cv
        .get(&format!(
            "/checklists/{list}/tasks/{t}.json?with_notes=true"
        ))
        .await
        .json();
    assert_eq!(with[0]["notes"][0]["comment"], json!("first"));
    let without = cv.tasks(list).await;
    assert!(without[0].get("notes").is_none());
    let x = cv
        .get(&format!("/checklists/{list}/tasks.xml?with_notes=true"))
        .await;
    assert_eq!(x.sel("tasks/*/notes/*/comment"), vec!["first"]);
    let np = format!("/checklists/{list}/tasks/{t}/comments/{nid}.json");
    let r = cv.put(&np, &[("comment[comment]", "edited")]).await.json();
    assert_eq!((id(&r), r["comment"].clone()), (nid, json!("edited")));
    let listed = cv
        .get(&format!("/checklists/{list}/tasks/{t}/comments.json"))
        .await
        .json();
    assert!(valid("NoteList", &listed));
    assert_eq!(listed[0]["comment"], json!("edited"));
    let x = cv
        .get(&format!("/checklists/{list}/tasks/{t}/comments.xml"))
        .await;
    assert_eq!(x.sel("notes/note/comment"), vec!["edited"]);
    assert!(x
        .sel("*/note/created_at")
        .iter()
        .all(|s| matches(ISO_TS, s)));
    assert_eq!(x.sel("notes/note/@type"), vec!["Comment"]);
    let r = cv.del(&np).await.json();
    assert_eq!(id(&r), nid);
    assert_eq!(
        cv.get(&format!("/checklists/{list}/tasks/{t}/comments.json"))
            .await
            .json(),
        json!([])
    );
    assert_eq!(cv.del(&np).await.status, 404);
    // Overrides and XML writes.
    let n2 = id(&cv.note(list, t, "second").await);
    let np2 = format!("/checklists/{list}/tasks/{t}/comments/{n2}");
    let r = cv
        .post(
            &format!("{np2}.json"),
            &[("_method", "PUT"), ("comment[comment]", "via put")],
        )
        .await;
    assert_eq!(r.json()["comment"], json!("via put"));
    let x = cv
        .put(&format!("{np2}.xml"), &[("comment[comment]", "xml")])
        .await;
    assert!(x.sel("note/updated_at").iter().all(|s| matches(ISO_TS, s)));
    let r = cv
        .post(&format!("{np2}.json"), &[("_method", "DELETE")])
        .await;
    assert_eq!(id(&r.json()), n2);
    // Seeded notes and timestamps.
    let seeded = cv.get("/checklists/1/tasks/101/comments.json").await.json();
    assert!(!ids(&seeded).is_empty());
    assert!(strings(&seeded, "updated_at")
        .iter()
        .all(|s| matches(JSON_TS, s)));
    let tasks = cv.tasks(1).await;
    assert!(strings(&tasks, "created_at")
        .iter()
        .all(|s| matches(JSON_TS, s)));
    assert!(
        tasks
            .as_array()
            .into_iter()
            .flatten()
            .any(|t| t["updated_at"] == json!("")),
        "some seeded tasks were never updated"
    );
    cv.shutdown().await;
}

// ---------------------------------------------------------------------------- robustness

#[tokio::test]
async fn bad_input_gets_4xx_never_5xx() {
    let cv = Cv::start(None).await;
    let list = cv.list("robust").await;
    let t = cv.task_named(list, "t").await;
    let tok = [("token", cv.token.as_str())];
    // Malformed JSON, a JSON array, wrong types.
    for (ct, body) in [
        ("application/json", "{not json"),
        ("application/json", "[1, 2]"),
        (
            "application/json",
            "{\"task\": {\"content\": \"x\", \"priority\": \"high\"}}",
        ),
        (
            "application/json",
            "{\"task\": {\"content\": 5, \"parent_id\": [1]}}",
        ),
        ("multipart/form-data", "--x\r\n"),
        ("multipart/form-data; boundary=x", "garbage"),
    ] {
        let r =
            cv.s.post(&format!("/checklists/{list}/tasks.json"))
                .query(&tok)
                .header("content-type", ct)
                .body(body)
                .send()
                .await;
        let s = r.status;
        assert!((400..500).contains(&s), "{ct} {body}: {s}");
    }
    // Malformed login bodies: 401.
    let r =
        cv.s.post("/auth/login.json")
            .header("content-type", "application/json")
            .body("{")
            .send()
            .await;
    assert_eq!(r.status, 401);
    // A body over the limit: 413.
    let huge = "x".repeat(specgate::mock::common::MAX_BODY_BYTES + 10);
    let r =
        cv.s.post(&format!("/checklists/{list}/tasks.json"))
            .query(&tok)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("task[content]={huge}"))
            .send()
            .await;
    assert_eq!(r.status, 413);
    // Unknown ids, paths and methods.
    for (m, p) in [
        ("GET", "/checklists/0.json".to_string()),
        ("GET", "/checklists/abc.json".to_string()),
        ("GET", format!("/checklists/{list}/tasks/999999999.json")),
        (
            "GET",
            format!("/checklists/{list}/tasks/{t}/comments/5.json"),
        ),
        (
            "PUT",
            format!("/checklists/{list}/tasks/{t}/comments/5.json"),
        ),
        ("GET", "/checklists".to_string()),
        ("GET", "/checklists.html".to_string()),
        ("GET", "/nothing/here.json".to_string()),
        ("GET", "/checklists/tag:nope/import.json".to_string()),
        ("POST", "/checklists/tag:nope/import.json".to_string()),
        ("PATCH", format!("/checklists/{list}.json")),
        ("DELETE", "/checklists.json".to_string()),
    ] {
        let r = cv
            .send(m, &p, cv.by_param(), &[("import_content", "x")])
            .await;
        assert!((400..500).contains(&r.status), "{m} {p}: {}", r.status);
        if r.status == 405 {
            assert!(r.header("allow").is_some(), "{m} {p}: 405 without Allow");
        }
    }
    // Missing required fields.
    for (p, body) in [
        ("/checklists.json".to_string(), vec![]),
        (format!("/checklists/{list}/tasks.json"), vec![]),
        (format!("/checklists/{list}/import.json"), vec![]),
        (
            format!("/checklists/{list}/tasks/{t}/comments.json"),
            vec![],
        ),
        (format!("/checklists/{list}/tasks/{t}/tags.json"), vec![]),
        (
            format!("/checklists/{list}/tasks/{t}/tags.json"),
            vec![("task_ids", "nope"), ("tags", "a")],
        ),
        (format!("/checklists/{list}/tasks/{t}/repeat.json"), vec![]),
        (
            "/checklists.json".to_string(),
            vec![("checklist[name]", "x"), ("checklist[public]", "maybe")],
        ),
    ] {
        let r = cv.post(&p, &body).await;
        assert_eq!(r.status, 400, "{p} {body:?}: {}", r.text());
        assert!(r.json()["error"].is_string());
    }
    // Huge numbers are clamped or refused, never overflowed.
    let r = cv
        .import(
            list,
            &[
                ("import_content", "a\nb"),
                ("position", "18446744073709551615"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    let r = cv
        .post(
            &format!("/checklists/{list}/tasks.json"),
            &[
                ("task[content]", "x"),
                ("task[position]", "99999999999999999999999"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    // XML errors are XML.
    let r = cv.get("/checklists/999999.xml").await;
    assert_eq!((r.status, r.is_xml()), (404, true));
    assert_eq!(r.sel("errors/error").len(), 1);
    // Odd but valid text survives the XML.
    let odd = cv.task(list, &[("task[content]", "<&>\"' \u{1}")]).await;
    let x = cv
        .get(&format!("/checklists/{list}/tasks/{}.xml", id(&odd)))
        .await;
    assert_eq!(x.sel("tasks/task/content"), vec!["<&>\"' \u{fffd}"]);
    cv.shutdown().await;
}

#[tokio::test]
async fn concurrent_writes_all_land() {
    let cv = Cv::start(None).await;
    let list = cv.list("concurrent").await;
    let n = 200;
    let mut handles = Vec::new();
    for i in 0..n {
        let s = cv.s.clone();
        let path = format!("/checklists/{list}/tasks.json");
        let auth = cv.by_param();
        handles.push(tokio::spawn(async move {
            s.post(&path)
                .auth(auth)
                .form(&[("task[content]", format!("t{i}"))])
                .try_send()
                .await
                .map(|r| r.status)
                .unwrap_or(0)
        }));
    }
    for h in handles {
        assert_eq!(h.await.unwrap_or(0), 200);
    }
    let all = cv.tasks(list).await;
    assert_eq!(ids(&all).len(), n);
    let positions: Vec<u64> = all
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["position"].as_u64())
        .collect();
    assert_eq!(positions, (1..=n as u64).collect::<Vec<_>>());
    let counts = cv.checklist(list).await;
    assert_eq!(counts["task_count"], json!(n));
    // Concurrent logins get distinct tokens.
    let mut handles = Vec::new();
    for _ in 0..20 {
        let s = cv.s.clone();
        let body = form(&[
            ("username", &cv.cred("username")),
            ("remote_key", &cv.cred("remote_key")),
        ]);
        handles.push(tokio::spawn(async move {
            let r = s
                .post("/auth/login.json")
                .form(&body)
                .try_send()
                .await
                .ok()?;
            let v: Value = r.json();
            v["token"].as_str().map(str::to_string)
        }));
    }
    let mut tokens = std::collections::BTreeSet::new();
    for h in handles {
        let t = h.await.ok().flatten().expect("a token");
        assert!(tokens.insert(t));
    }
    cv.shutdown().await;
}

#[tokio::test]
async fn a_large_mock_costs_no_memory_per_list() {
    let options = MockOptions {
        size: Some(200_000),
        ..MockOptions::default()
    };
    let m = specgate::mock::start("checkvist", options)
        .await
        .expect("starts");
    let s = common::Session::of(&m);
    let creds = &m.target.credentials;
    let tok: Value = s
        .post("/auth/login.json")
        .form(&[
            ("username", creds.get("username").unwrap_or("")),
            ("remote_key", creds.get("remote_key").unwrap_or("")),
        ])
        .send()
        .await
        .json();
    let tok = tok["token"].as_str().unwrap_or("").to_string();
    let start = Instant::now();
    let r = s
        .get("/checklists/199999/tasks.json")
        .auth(param(&tok))
        .send()
        .await;
    assert_eq!(r.status, 200);
    // Past the session client's 10 s: the whole list of lists.
    let r = Response::send(
        s.get("/checklists.json")
            .query(&[("token", tok.as_str()), ("skip_stats", "true")])
            .builder()
            .timeout(Duration::from_secs(30)),
    )
    .await;
    let v: Value = r.json();
    assert!(ids(&v).len() > 100_000);
    assert!(start.elapsed() < Duration::from_secs(30));
    m.shutdown().await;
}

// ---------------------------------------------------------------------------- faults

/// Whether the documented behaviour that fault `name` breaks holds on `cv`.
async fn holds(name: &str, cv: &Cv) -> bool {
    let user = cv.cred("username");
    match name {
        // -------------------------------------------------------------- authentication
        "auth.token-param-ignored" => cv.get("/checklists.json").await.ok(),
        "auth.token-header-ignored" => cv
            .send("GET", "/checklists.json", cv.by_header(), &[])
            .await
            .ok(),
        "auth.basic-remote-key-refused" => cv
            .send(
                "GET",
                "/checklists.json",
                Auth::Basic(user, cv.cred("remote_key")),
                &[],
            )
            .await
            .ok(),
        "auth.basic-password-refused" => cv
            .send(
                "GET",
                "/checklists.json",
                Auth::Basic(user, cv.cred("password")),
                &[],
            )
            .await
            .ok(),
        "auth.basic-wrong-password-accepted" => {
            cv.send(
                "GET",
                "/checklists/1.json",
                Auth::Basic(user, "wrong".into()),
                &[],
            )
            .await
            .status
                == 401
        }
        "auth.invalid-token-accepted" => {
            cv.send("GET", "/checklists/1.json", param("bogus"), &[])
                .await
                .status
                == 401
                && cv
                    .send("GET", "/checklists/1/tasks.json", header("bogus"), &[])
                    .await
                    .status
                    == 401
        }
        "auth.private-lists-open" => {
            cv.send("GET", "/checklists/1.json", Auth::None, &[])
                .await
                .status
                == 401
        }
        "auth.expired-token-accepted" => {
            cv.send(
                "GET",
                "/checklists.json",
                param(cv.cred("expired_token")),
                &[],
            )
            .await
            .status
                == 401
        }
        "auth.public-lists-closed" => cv
            .send("GET", "/checklists/2.json", Auth::None, &[])
            .await
            .ok(),
        "auth.anonymous-writes-public" => {
            cv.send(
                "POST",
                "/checklists/2/tasks.json",
                Auth::None,
                &[("task[content]", "x")],
            )
            .await
            .status
                == 401
        }
        // -------------------------------------------------------------- login
        "login.get-unsupported" => {
            let r = cv
                .send(
                    "GET",
                    &format!(
                        "/auth/login.json?version=2&username={user}&remote_key={}",
                        cv.cred("remote_key")
                    ),
                    Auth::None,
                    &[],
                )
                .await;
            r.ok() && r.json()["token"].is_string()
        }
        "login.post-second-session-refused" => {
            cv.login(&user, &cv.cred("remote_key"), &[]).await.ok()
        }
        "login.password-refused" => cv.login(&user, &cv.cred("password"), &[]).await.ok(),
        "login.wrong-key-403" => cv.login(&user, "wrong", &[]).await.status == 401,
        "login.unknown-user-404" => {
            cv.login("nobody@example.invalid", "x", &[]).await.status == 401
        }
        "login.2fa-not-enforced" => {
            cv.login(&cv.cred("twofa_username"), &cv.cred("twofa_password"), &[])
                .await
                .status
                == 422
        }
        "login.2fa-code-unchecked" => {
            let r = cv
                .send(
                    "GET",
                    &format!(
                        "/auth/login.json?username={}&remote_key={}&token2fa=000000",
                        cv.cred("twofa_username"),
                        cv.cred("twofa_password")
                    ),
                    Auth::None,
                    &[],
                )
                .await;
            r.status == 422
        }
        "login.2fa-error-not-json" => {
            let r = cv
                .login(&cv.cred("twofa_username"), &cv.cred("twofa_password"), &[])
                .await;
            r.status == 422 && r.is_json() && valid("TwoFactorError", &r.json())
        }
        "login.2fa-remote-key-needs-code" => cv
            .login(
                &cv.cred("twofa_username"),
                &cv.cred("twofa_remote_key"),
                &[],
            )
            .await
            .ok(),
        // -------------------------------------------------------------- refresh
        "refresh.old-token-kept" => {
            let old = cv.fresh_token().await;
            let r = cv
                .send(
                    "POST",
                    "/auth/refresh_token.json",
                    Auth::None,
                    &[("old_token", &old)],
                )
                .await;
            r.ok()
                && cv
                    .send("GET", "/checklists.json", param(old), &[])
                    .await
                    .status
                    == 401
        }
        "refresh.same-token" => {
            let old = cv.fresh_token().await;
            let r = cv
                .send(
                    "POST",
                    "/auth/refresh_token.json",
                    Auth::None,
                    &[("old_token", &old)],
                )
                .await;
            r.ok() && r.json()["token"].as_str().is_some_and(|t| t != old)
        }
        "refresh.get-unsupported" => {
            let old = cv.fresh_token().await;
            cv.send(
                "GET",
                &format!("/auth/refresh_token.json?old_token={old}"),
                Auth::None,
                &[],
            )
            .await
            .ok()
        }
        "refresh.post-unsupported" => {
            let old = cv.fresh_token().await;
            cv.send(
                "POST",
                "/auth/refresh_token.json",
                Auth::None,
                &[("old_token", &old)],
            )
            .await
            .ok()
        }
        "refresh.bad-token-403" => {
            cv.send(
                "POST",
                "/auth/refresh_token.json",
                Auth::None,
                &[("old_token", "bogus")],
            )
            .await
            .status
                == 401
        }
        "refresh.expired-refused" => {
            let old = cv.cred("expired_token");
            cv.send(
                "GET",
                &format!("/auth/refresh_token.json?old_token={old}"),
                Auth::None,
                &[],
            )
            .await
            .ok()
        }
        // -------------------------------------------------------------- formats
        "format.checklists-xml-as-json" => {
            let r = cv.get("/checklists.xml").await;
            r.is_xml() && !r.sel("checklists/checklist/id").is_empty()
        }
        "format.checklist-xml-as-json" => cv.get("/checklists/1.xml").await.is_xml(),
        "format.tasks-xml-as-json" => cv.get("/checklists/1/tasks.xml").await.is_xml(),
        "format.task-xml-as-json" => cv.get("/checklists/1/tasks/101.xml").await.is_xml(),
        "format.notes-xml-as-json" => cv
            .get("/checklists/1/tasks/101/comments.xml")
            .await
            .is_xml(),
        "format.current-user-xml-as-json" => cv.get("/auth/curr_user.xml").await.is_xml(),
        "format.task-writes-xml-as-json" => {
            let l = cv.list("f").await;
            cv.post(
                &format!("/checklists/{l}/tasks.xml"),
                &[("task[content]", "x")],
            )
            .await
            .is_xml()
        }
        "format.note-writes-xml-as-json" => {
            let l = cv.list("f").await;
            let t = cv.task_named(l, "t").await;
            cv.post(
                &format!("/checklists/{l}/tasks/{t}/comments.xml"),
                &[("comment[comment]", "n")],
            )
            .await
            .is_xml()
        }
        // -------------------------------------------------------------- _method
        "method-override.put-ignored" => {
            let l = cv.list("o").await;
            let r = cv
                .post(
                    &format!("/checklists/{l}.json"),
                    &[("_method", "PUT"), ("checklist[name]", "new")],
                )
                .await;
            r.ok() && r.json()["name"] == json!("new")
        }
        "method-override.delete-ignored" => {
            let l = cv.list("o").await;
            let r = cv
                .post(&format!("/checklists/{l}.json"), &[("_method", "DELETE")])
                .await;
            r.ok() && cv.get(&format!("/checklists/{l}.json")).await.status == 404
        }
        // -------------------------------------------------------------- checklists
        "checklists.default-order-oldest-first" => sorted(
            &strings(&cv.get("/checklists.json").await.json(), "updated_at"),
            false,
        ),
        "checklists.order-id-asc-ignored" => sorted(
            &ids(&cv.get("/checklists.json?order=id:asc").await.json()),
            true,
        ),
        "checklists.order-id-desc-ignored" => sorted(
            &ids(&cv.get("/checklists.json?order=id:desc").await.json()),
            false,
        ),
        "checklists.order-updated-asc-ignored" => sorted(
            &strings(
                &cv.get("/checklists.json?order=updated_at:asc").await.json(),
                "updated_at",
            ),
            true,
        ),
        "checklists.archived-ignored" | "checklists.archived-flag-false" => {
            let v = cv.get("/checklists.json?archived=true").await.json();
            !ids(&v).is_empty()
                && v.as_array()
                    .into_iter()
                    .flatten()
                    .all(|l| l["archived"] == json!(true))
        }
        "checklists.archived-listed-by-default" => cv
            .get("/checklists.json")
            .await
            .json()
            .as_array()
            .into_iter()
            .flatten()
            .all(|l| l["archived"] == json!(false)),
        "checklists.skip-stats-ignored" => cv
            .get("/checklists.json?skip_stats=true")
            .await
            .json()
            .as_array()
            .into_iter()
            .flatten()
            .all(|l| l.get("task_count").is_none() && l.get("task_completed").is_none()),
        "checklists.stats-missing" => cv
            .get("/checklists.json")
            .await
            .json()
            .as_array()
            .into_iter()
            .flatten()
            .all(|l| l["task_count"].is_u64()),
        "checklists.task-count-all-tasks" => {
            let l = cv.list("c").await;
            let r = cv.task_named(l, "R").await;
            cv.child(l, "c1", r).await;
            cv.child(l, "c2", r).await;
            cv.task_named(l, "L").await;
            cv.checklist(l).await["task_count"] == json!(3)
        }
        "checklists.task-completed-zero" => {
            let l = cv.list("c").await;
            let a = cv.task_named(l, "A").await;
            cv.task_named(l, "B").await;
            cv.status(l, a, "close").await;
            cv.checklist(l).await["task_completed"] == json!(1)
        }
        "checklists.get-name-empty" => {
            let listed = cv.get("/checklists.json?order=id:asc").await.json();
            cv.checklist(1).await["name"] == listed[0]["name"] && listed[0]["name"] != json!("")
        }
        "checklists.public-flag-ignored" => {
            let r = cv
                .post(
                    "/checklists.json",
                    &[("checklist[name]", "p"), ("checklist[public]", "1")],
                )
                .await;
            r.json()["public"] == json!(true)
        }
        "checklists.public-zero-is-true" => {
            let r = cv
                .post(
                    "/checklists.json",
                    &[("checklist[name]", "p"), ("checklist[public]", "0")],
                )
                .await;
            r.json()["public"] == json!(false)
        }
        "checklists.update-returns-old" => {
            let l = cv.list("old").await;
            cv.put(
                &format!("/checklists/{l}.json"),
                &[("checklist[name]", "new")],
            )
            .await
            .json()["name"]
                == json!("new")
        }
        "checklists.update-not-stored" => {
            let l = cv.list("old").await;
            cv.put(
                &format!("/checklists/{l}.json"),
                &[("checklist[name]", "new")],
            )
            .await;
            cv.checklist(l).await["name"] == json!("new")
        }
        "checklists.delete-returns-empty" => {
            let l = cv.list("gone").await;
            id(&cv.del(&format!("/checklists/{l}.json")).await.json()) == l
        }
        "checklists.creator-is-reader" => {
            let v = cv
                .post("/checklists.json", &[("checklist[name]", "mine")])
                .await
                .json();
            v["role"] == json!(1) && v["read_only"] == json!(false)
        }
        "checklists.notes-bump-updated-at" => {
            let l = cv.list("n").await;
            let t = cv.task_named(l, "t").await;
            let before = cv.checklist(l).await["updated_at"].clone();
            cv.note(l, t, "a").await;
            cv.note(l, t, "b").await;
            cv.checklist(l).await["updated_at"] == before
        }
        // -------------------------------------------------------------- tasks: reading
        "tasks.list-by-id"
        | "tasks.order-id-asc-ignored"
        | "tasks.order-id-desc-ignored"
        | "tasks.create-position-ignored" => {
            let l = cv.list("o").await;
            let a = cv.task_named(l, "A").await;
            let b = cv.task_named(l, "B").await;
            let c = id(&cv
                .task(l, &[("task[content]", "C"), ("task[position]", "1")])
                .await);
            let path = format!("/checklists/{l}/tasks.json");
            match name {
                "tasks.order-id-asc-ignored" => {
                    ids(&cv.get(&format!("{path}?order=id:asc")).await.json()) == vec![a, b, c]
                }
                "tasks.order-id-desc-ignored" => {
                    ids(&cv.get(&format!("{path}?order=id:desc")).await.json()) == vec![c, b, a]
                }
                _ => ids(&cv.tasks(l).await) == vec![c, a, b],
            }
        }
        "tasks.order-updated-asc-ignored" => sorted(
            &strings(
                &cv.get("/checklists/1/tasks.json?order=updated_at:asc")
                    .await
                    .json(),
                "updated_at",
            ),
            true,
        ),
        "tasks.deleted-false-listed" => cv
            .tasks(1)
            .await
            .as_array()
            .into_iter()
            .flatten()
            .all(|t| t.get("deleted").is_none()),
        "tasks.get-without-parents" => {
            let l = cv.list("p").await;
            let r = cv.task_named(l, "R").await;
            let c = cv.child(l, "c", r).await;
            ids(&cv.get_task(l, c).await) == vec![c, r]
        }
        "tasks.with-notes-ignored" => {
            let v = cv
                .get("/checklists/1/tasks.json?with_notes=true")
                .await
                .json();
            v.as_array().into_iter().flatten().any(|t| {
                t["id"] == json!(101) && t["notes"].as_array().is_some_and(|n| !n.is_empty())
            })
        }
        "tasks.root-parent-id-checklist" => {
            let l = cv.list("r").await;
            cv.task(l, &[("task[content]", "root")]).await["parent_id"] == json!(0)
        }
        "tasks.xml-root-parent-zero" => {
            let l = cv.list("r").await;
            cv.post(
                &format!("/checklists/{l}/tasks.xml"),
                &[("task[content]", "root")],
            )
            .await
            .sel("task/parent_id")
                == vec![""]
        }
        "tasks.positions-off-by-one" => {
            let l = cv.list("r").await;
            cv.task(l, &[("task[content]", "first")]).await["position"] == json!(1)
        }
        "tasks.create-default-at-beginning" => {
            let l = cv.list("r").await;
            cv.task_named(l, "A").await;
            cv.task(l, &[("task[content]", "B")]).await["position"] == json!(2)
        }
        "tasks.create-parent-ignored" => {
            let l = cv.list("r").await;
            let r = cv.task_named(l, "R").await;
            let p = r.to_string();
            cv.task(l, &[("task[content]", "c"), ("task[parent_id]", &p)])
                .await["parent_id"]
                == json!(r)
        }
        "tasks.children-ids-missing" => {
            let l = cv.list("r").await;
            let r = cv.task_named(l, "R").await;
            let c = cv.child(l, "c", r).await;
            cv.get_task(l, r).await[0]["tasks"] == json!([c])
        }
        "tasks.create-status-ignored" => {
            let l = cv.list("r").await;
            cv.task(l, &[("task[content]", "s"), ("task[status]", "1")])
                .await["status"]
                == json!(1)
        }
        "tasks.new-task-closed" => {
            let l = cv.list("r").await;
            cv.task(l, &[("task[content]", "s")]).await["status"] == json!(0)
        }
        "tasks.create-tags-ignored" => {
            let l = cv.list("r").await;
            cv.task(l, &[("task[content]", "s"), ("task[tags]", "a,b")])
                .await["tags"]
                == json!({"a": false, "b": false})
        }
        "tasks.create-priority-ignored" => {
            let l = cv.list("r").await;
            cv.task(l, &[("task[content]", "s"), ("task[priority]", "3")])
                .await["priority"]
                == json!(3)
        }
        // -------------------------------------------------------------- import
        "import.added-at-end" => {
            let l = cv.list("i").await;
            let e = cv.task_named(l, "existing").await;
            let got = ids(&cv.import(l, &[("import_content", "x\ny")]).await.json());
            ids(&cv.tasks(l).await) == [got, vec![e]].concat()
        }
        "import.flat" => {
            let l = cv.list("i").await;
            let v = cv.import(l, &[("import_content", "p\n  c")]).await.json();
            v[1]["parent_id"] == json!(id(&v[0]))
        }
        "import.note-ignored" => {
            let l = cv.list("i").await;
            let v = cv
                .import(
                    l,
                    &[("import_content", "a\nb"), ("import_content_note", "n")],
                )
                .await
                .json();
            let notes = cv
                .get(&format!(
                    "/checklists/{l}/tasks/{}/comments.json",
                    id(&v[0])
                ))
                .await
                .json();
            notes[0]["comment"] == json!("n")
        }
        "import.parse-tasks-ignored" => {
            let l = cv.list("i").await;
            let v = cv
                .import(l, &[("import_content", "t #tg"), ("parse_tasks", "1")])
                .await
                .json();
            v[0]["tags"].get("tg").is_some()
        }
        "import.position-ignored" => {
            let l = cv.list("i").await;
            let x = cv.task_named(l, "X").await;
            let y = cv.task_named(l, "Y").await;
            let v = cv
                .import(l, &[("import_content", "i"), ("position", "2")])
                .await
                .json();
            ids(&cv.tasks(l).await) == vec![x, id(&v[0]), y]
        }
        "import.single-item-ignored" => {
            let l = cv.list("i").await;
            ids(&cv
                .import(
                    l,
                    &[
                        ("import_content", "a\nb"),
                        ("separate_with_empty_line", "singleItem"),
                    ],
                )
                .await
                .json())
            .len()
                == 1
        }
        "import.empty-line-ignored" => {
            let l = cv.list("i").await;
            ids(&cv
                .import(
                    l,
                    &[
                        ("import_content", "a\nb\n\nc"),
                        ("separate_with_empty_line", "1"),
                    ],
                )
                .await
                .json())
            .len()
                == 2
        }
        "import.status-ignored" => {
            let l = cv.list("i").await;
            cv.import(l, &[("import_content", "a"), ("status", "1")])
                .await
                .json()[0]["status"]
                == json!(1)
        }
        "import.parent-ignored" => {
            let l = cv.list("i").await;
            let p = cv.task_named(l, "P").await;
            let ps = p.to_string();
            cv.import(l, &[("import_content", "a"), ("parent_id", &ps)])
                .await
                .json()[0]["parent_id"]
                == json!(p)
        }
        "import.replace-existing-ignored" => {
            let l = cv.list("i").await;
            cv.task_named(l, "old").await;
            cv.import(l, &[("import_content", "new"), ("replace_existing", "1")])
                .await;
            ids(&cv.tasks(l).await).len() == 1
        }
        // -------------------------------------------------------------- tasks: updating
        "tasks.update-changes-status" | "tasks.update-not-stored" => {
            let l = cv.list("u").await;
            let t = cv.task_named(l, "t").await;
            cv.status(l, t, "close").await;
            cv.put(
                &format!("/checklists/{l}/tasks/{t}.json"),
                &[("task[content]", "u"), ("task[status]", "0")],
            )
            .await;
            let v = cv.get_task(l, t).await;
            v[0]["status"] == json!(1) && v[0]["content"] == json!("u")
        }
        "tasks.update-position-ignored" => {
            let l = cv.list("u").await;
            let a = cv.task_named(l, "A").await;
            let b = cv.task_named(l, "B").await;
            let c = cv.task_named(l, "C").await;
            cv.put(
                &format!("/checklists/{l}/tasks/{c}.json"),
                &[("task[position]", "1")],
            )
            .await;
            ids(&cv.tasks(l).await) == vec![c, a, b]
        }
        "tasks.update-parent-ignored" => {
            let l = cv.list("u").await;
            let a = cv.task_named(l, "A").await;
            let b = cv.task_named(l, "B").await;
            let pa = a.to_string();
            cv.put(
                &format!("/checklists/{l}/tasks/{b}.json"),
                &[("task[parent_id]", &pa)],
            )
            .await;
            ids(&cv.get_task(l, b).await) == vec![b, a]
        }
        "tasks.update-tags-merged" => {
            let l = cv.list("u").await;
            let t = id(&cv
                .task(l, &[("task[content]", "t"), ("task[tags]", "a,b")])
                .await);
            cv.put(
                &format!("/checklists/{l}/tasks/{t}.json"),
                &[("task[tags]", "c")],
            )
            .await
            .json()["tags"]
                == json!({"c": false})
        }
        "tasks.update-tags-hash-ignored" => {
            let l = cv.list("u").await;
            let t = cv.task_named(l, "t").await;
            let path = format!("/checklists/{l}/tasks/{t}.json");
            cv.put(&path, &[("task[tags][h]", "false")]).await.json()["tags"] == json!({"h": false})
                && cv.put(&path, &[("task[tags_as_text]", "p,q")]).await.json()["tags"]
                    == json!({"p": false, "q": false})
        }
        "tasks.update-assignees-ignored" => {
            let l = cv.list("u").await;
            let t = cv.task_named(l, "t").await;
            cv.put(
                &format!("/checklists/{l}/tasks/{t}.json"),
                &[("task[assignee_ids][]", "1")],
            )
            .await
            .json()["assignee_ids"]
                == json!([1])
        }
        "tasks.priority-zero-ignored" => {
            let l = cv.list("u").await;
            let t = id(&cv
                .task(l, &[("task[content]", "t"), ("task[priority]", "9")])
                .await);
            cv.put(
                &format!("/checklists/{l}/tasks/{t}.json"),
                &[("task[priority]", "0")],
            )
            .await
            .json()["priority"]
                .is_null()
        }
        "tasks.update-parse-ignored" => {
            let l = cv.list("u").await;
            let t = cv.task_named(l, "t").await;
            let v = cv
                .put(
                    &format!("/checklists/{l}/tasks/{t}.json"),
                    &[("task[content]", "x #pp"), ("parse", "true")],
                )
                .await
                .json();
            v["tags"].get("pp").is_some()
        }
        // -------------------------------------------------------------- tags call
        "tags.task-ids-ignored" | "tags.delete-tag-clears-all" => {
            let l = cv.list("t").await;
            let a = id(&cv
                .task(l, &[("task[content]", "A"), ("task[tags]", "a,b")])
                .await);
            let b = id(&cv
                .task(l, &[("task[content]", "B"), ("task[tags]", "a")])
                .await);
            let bs = b.to_string();
            cv.post(
                &format!("/checklists/{l}/tasks/{a}/tags.json"),
                &[("delete_tag", "a"), ("task_ids", &bs)],
            )
            .await;
            cv.get_task(l, a).await[0]["tags"] == json!({"b": false})
                && cv.get_task(l, b).await[0]["tags"] == json!({})
        }
        "tags.tags-split-on-comma" => {
            let l = cv.list("t").await;
            let a = cv.task_named(l, "A").await;
            let v = cv
                .post(
                    &format!("/checklists/{l}/tasks/{a}/tags.json"),
                    &[("tags", "x y")],
                )
                .await
                .json();
            v[0]["tags"] == json!({"x": false, "y": false})
        }
        "tags.answer-before-change" => {
            let l = cv.list("t").await;
            let a = cv.task_named(l, "A").await;
            let v = cv
                .post(
                    &format!("/checklists/{l}/tasks/{a}/tags.json"),
                    &[("tags", "fresh")],
                )
                .await
                .json();
            v[0]["tags"] == json!({"fresh": false})
        }
        // -------------------------------------------------------------- status
        "status.invalidate-closes" | "status.reopen-ignored" => {
            let l = cv.list("s").await;
            let t = cv.task_named(l, "t").await;
            let inv = cv.status(l, t, "invalidate").await.json()[0]["status"] == json!(2);
            let re = cv.status(l, t, "reopen").await.json()[0]["status"] == json!(0);
            inv && re
        }
        "status.no-cascade" | "status.children-not-returned" => {
            let l = cv.list("s").await;
            let p = cv.task_named(l, "P").await;
            let c1 = cv.child(l, "c1", p).await;
            let c2 = cv.child(l, "c2", p).await;
            let r = cv.status(l, p, "close").await.json();
            ids(&r) == vec![p, c1, c2] && cv.get_task(l, c2).await[0]["status"] == json!(1)
        }
        "status.not-cumulative" => {
            let l = cv.list("s").await;
            let p = cv.task_named(l, "P").await;
            let c1 = cv.child(l, "c1", p).await;
            let c2 = cv.child(l, "c2", p).await;
            cv.status(l, c1, "close").await;
            cv.status(l, c2, "close").await;
            cv.get_task(l, p).await[0]["status"] == json!(1)
        }
        // -------------------------------------------------------------- repeat, delete
        "tasks.repeat-returns-list" => {
            let l = cv.list("r").await;
            let t = cv.task_named(l, "t").await;
            let v = cv
                .post(
                    &format!("/checklists/{l}/tasks/{t}/repeat.json"),
                    &[("repeat[period]", "daily")],
                )
                .await
                .json();
            id(&v) == t && valid("Task", &v)
        }
        "tasks.delete-keeps-children" | "tasks.delete-no-deleted-flag" => {
            let l = cv.list("d").await;
            let p = cv.task_named(l, "P").await;
            cv.child(l, "c", p).await;
            let s = cv.task_named(l, "S").await;
            let v = cv
                .del(&format!("/checklists/{l}/tasks/{p}.json"))
                .await
                .json();
            v["deleted"] == json!(true) && ids(&cv.tasks(l).await) == vec![s]
        }
        // -------------------------------------------------------------- notes
        "notes.comments-count-zero" => {
            let l = cv.list("n").await;
            let t = cv.task_named(l, "t").await;
            cv.note(l, t, "n").await;
            cv.get_task(l, t).await[0]["comments_count"] == json!(1)
        }
        "notes.update-returns-old" => {
            let l = cv.list("n").await;
            let t = cv.task_named(l, "t").await;
            let n = id(&cv.note(l, t, "old").await);
            cv.put(
                &format!("/checklists/{l}/tasks/{t}/comments/{n}.json"),
                &[("comment[comment]", "new")],
            )
            .await
            .json()["comment"]
                == json!("new")
        }
        "notes.delete-keeps-note" => {
            let l = cv.list("n").await;
            let t = cv.task_named(l, "t").await;
            let n = id(&cv.note(l, t, "x").await);
            cv.del(&format!("/checklists/{l}/tasks/{t}/comments/{n}.json"))
                .await;
            cv.get(&format!("/checklists/{l}/tasks/{t}/comments.json"))
                .await
                .json()
                == json!([])
        }
        // -------------------------------------------------------------- timestamps
        "timestamps.checklist-json-iso8601" => matches(
            JSON_TS,
            cv.checklist(1).await["updated_at"].as_str().unwrap_or(""),
        ),
        "timestamps.task-json-iso8601" => strings(&cv.tasks(1).await, "created_at")
            .iter()
            .all(|s| matches(JSON_TS, s)),
        "timestamps.note-json-iso8601" => strings(
            &cv.get("/checklists/1/tasks/101/comments.json").await.json(),
            "created_at",
        )
        .iter()
        .all(|s| matches(JSON_TS, s)),
        "timestamps.xml-json-format" => {
            let x = cv.get("/checklists/1.xml").await;
            x.sel("checklist/updated_at")
                .iter()
                .all(|s| matches(ISO_TS, s))
        }
        "timestamps.task-xml-timestamps" => {
            let x = cv.get("/checklists/1/tasks.xml").await;
            x.sel("tasks/*/updated_at").is_empty() && x.sel("tasks/*/created_at").is_empty()
        }
        other => panic!("no probe for the fault {other}"),
    }
}

#[tokio::test]
async fn every_fault_breaks_its_behaviour_and_only_the_faulty_mock_shows_it() {
    let faults = specgate::mock::api("checkvist")
        .expect("the checkvist mock")
        .faults();
    assert!(faults.len() >= 100, "{} faults", faults.len());
    let mut problems = Vec::new();
    for f in faults {
        let faithful = Cv::start(None).await;
        let faulty = Cv::start(Some(f.name)).await;
        let ok = holds(f.name, &faithful).await;
        let broken = !holds(f.name, &faulty).await;
        if !ok {
            problems.push(format!("{}: the faithful mock fails the probe", f.name));
        }
        if !broken {
            problems.push(format!(
                "{}: the faulty mock passes the probe ({})",
                f.name, f.breaks
            ));
        }
        faithful.shutdown().await;
        faulty.shutdown().await;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------- variants

/// Whether the choice of variant `name` shows on `cv` (where the faithful mock chooses
/// otherwise).
async fn shows(name: &str, cv: &Cv) -> bool {
    match name {
        "created-201" => {
            let r = cv
                .post("/checklists.json", &[("checklist[name]", "v")])
                .await;
            let l = r.json()["id"].clone();
            let t = cv
                .post(
                    &format!("/checklists/{l}/tasks.json"),
                    &[("task[content]", "t")],
                )
                .await;
            r.status == 201 && t.status == 201
        }
        "string-ids" => {
            let t = &cv.get("/checklists/1/tasks.json").await.json()[0];
            t["id"].is_string() && t["checklist_id"].is_string() && t["parent_id"].is_string()
        }
        "archived-true-adds" => {
            let v = cv.get("/checklists.json?archived=true").await.json();
            let flags: Vec<&Value> = v
                .as_array()
                .into_iter()
                .flatten()
                .map(|l| &l["archived"])
                .collect();
            flags.contains(&&json!(true)) && flags.contains(&&json!(false))
        }
        "archived-by-default" => {
            let all = cv.get("/checklists.json").await.json();
            let only = cv.get("/checklists.json?archived=true").await.json();
            all.as_array()
                .is_some_and(|a| a.iter().any(|l| l["archived"] == json!(true)))
                && only.as_array().is_some_and(|a| {
                    !a.is_empty() && a.iter().all(|l| l["archived"] == json!(true))
                })
        }
        "sparse-fields" => {
            let lists = cv.get("/checklists.json").await.json();
            let l = cv
                .post("/checklists.json", &[("checklist[name]", "v")])
                .await
                .json()["id"]
                .clone();
            let t = cv
                .post(
                    &format!("/checklists/{l}/tasks.json"),
                    &[("task[content]", "t")],
                )
                .await
                .json();
            lists
                .as_array()
                .is_some_and(|a| !a.is_empty() && a.iter().all(|l| l.get("archived").is_none()))
                && t.get("priority").is_none()
        }
        "xml-offset-timestamps" => {
            let stamps = cv
                .get("/checklists.xml")
                .await
                .sel("checklists/*/updated_at");
            !stamps.is_empty() && stamps.iter().all(|s| s.ends_with("+00:00"))
        }
        "notes-as-nodes" => {
            let v = cv
                .get("/checklists/1/tasks.json?with_notes=true")
                .await
                .json();
            let x = cv.get("/checklists/1/tasks/101/comments.xml").await;
            v.as_array().is_some_and(|a| {
                a.iter().any(|t| t.get("nodes").is_some())
                    && a.iter().all(|t| t.get("notes").is_none())
            }) && !x.sel("notes/node/id").is_empty()
        }
        "ui-sorted-by-name" => {
            let names = strings(&cv.get("/checklists.json").await.json(), "name");
            names.len() > 1 && sorted(&names, true)
        }
        "import-tabs" => {
            let l = cv
                .post("/checklists.json", &[("checklist[name]", "v")])
                .await
                .json()["id"]
                .clone();
            let v = cv
                .post(
                    &format!("/checklists/{l}/import.json"),
                    &[("import_content", "p\n  spaced\n\ttabbed")],
                )
                .await
                .json();
            let parent_of = |c: &str| {
                v.as_array()
                    .and_then(|a| a.iter().find(|t| t["content"] == json!(c)))
                    .map(|t| t["parent_id"].clone())
            };
            parent_of("spaced") == Some(json!(0)) && parent_of("tabbed") != Some(json!(0))
        }
        "html-refusals" => {
            let r = cv.send("GET", "/checklists/1.json", Auth::None, &[]).await;
            let login = cv.login(&cv.cred("username"), "wrong", &[]).await;
            r.status == 403 && r.content_type().starts_with("text/html") && login.status == 401
        }
        "empty-account" => cv.get("/checklists.json").await.json() == json!([]),
        "shared-lists" => {
            let v = cv.get("/checklists.json").await.json();
            let reader = v
                .as_array()
                .and_then(|a| a.iter().find(|l| l["role"] == json!(3)))
                .map(|l| l["id"].clone());
            let writer = v
                .as_array()
                .is_some_and(|a| a.iter().any(|l| l["role"] == json!(2)));
            match reader {
                Some(l) => {
                    writer
                        && cv
                            .post(
                                &format!("/checklists/{l}/tasks.json"),
                                &[("task[content]", "t")],
                            )
                            .await
                            .status
                            == 403
                }
                None => false,
            }
        }
        "twofa-code-always" => {
            cv.login(
                &cv.cred("twofa_username"),
                &cv.cred("twofa_remote_key"),
                &[],
            )
            .await
            .status
                == 422
        }
        other => panic!("no probe for the variant {other}"),
    }
}

#[tokio::test]
async fn every_variant_makes_its_choice_and_the_faithful_mock_another() {
    let variants = specgate::mock::api("checkvist")
        .expect("the checkvist mock")
        .variants();
    assert!(variants.len() >= 4, "{} variants", variants.len());
    let faithful = Cv::start(None).await;
    let mut problems = Vec::new();
    for v in variants {
        let variant = Cv::start_variant(v.name).await;
        if !shows(v.name, &variant).await {
            problems.push(format!(
                "{}: the variant does not show its choice ({})",
                v.name, v.chooses
            ));
        }
        if shows(v.name, &faithful).await {
            problems.push(format!(
                "{}: the faithful mock shows the same choice",
                v.name
            ));
        }
        variant.shutdown().await;
    }
    faithful.shutdown().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
