//! The route x role test: every route of the server, for every role and for a visitor who
//! is not signed in, against the one table in `tests/access_table.txt`.

use crate::helpers::{Client, Res, TestApp};
use domain::Role;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone)]
enum Who {
    Public,
    SignedIn,
    Roles(BTreeSet<Role>),
}

impl Who {
    fn allows(&self, role: Option<Role>) -> bool {
        match (self, role) {
            (Who::Public, _) => true,
            (_, None) => false,
            (Who::SignedIn, Some(_)) => true,
            (Who::Roles(rs), Some(r)) => rs.contains(&r),
        }
    }
}

fn expected_table() -> BTreeMap<(String, String), Who> {
    let text = include_str!("../access_table.txt");
    let mut map = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().expect("method").to_owned();
        let path = parts
            .next()
            .unwrap_or_else(|| panic!("line {}: no path", n + 1))
            .to_owned();
        let rest: Vec<&str> = parts.collect();
        let who = match rest.as_slice() {
            ["public"] => Who::Public,
            ["signed-in"] => Who::SignedIn,
            roles if !roles.is_empty() => Who::Roles(
                roles
                    .iter()
                    .map(|r| r.parse().unwrap_or_else(|e| panic!("line {}: {e}", n + 1)))
                    .collect(),
            ),
            _ => panic!("line {}: say who may reach {method} {path}", n + 1),
        };
        assert!(
            map.insert((method.clone(), path.clone()), who).is_none(),
            "line {}: {method} {path} twice",
            n + 1
        );
    }
    map
}

fn concrete(path: &str) -> String {
    path.replace("{file}", "app.css")
        .replace("{username}", "target-user")
        .replace("{id}", "999999")
}

async fn call(client: &Client, method: &str, path: &str, csrf: &str) -> Res {
    let url = format!("{}{}", client.base, concrete(path));
    let req = match method {
        // Public to the policy; the operator's token is a gate of its own (pages.rs).
        "GET" if path == "/metrics" => client
            .http
            .get(url)
            .bearer_auth(crate::helpers::METRICS_TOKEN),
        "GET" => client.http.get(url),
        "POST" if path.starts_with("/api/") => client
            .http
            .post(url)
            .header("x-csrf-token", csrf)
            .json(&serde_json::json!({})),
        "POST" => client.http.post(url).form(&[("csrf_token", csrf)]),
        "PUT" => client
            .http
            .put(url)
            .header("x-csrf-token", csrf)
            .json(&serde_json::json!({})),
        "DELETE" => client.http.delete(url).header("x-csrf-token", csrf),
        other => panic!("add {other} to the access test"),
    };
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let location = headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Res {
        status,
        location,
        headers,
        body: r.text().await.unwrap_or_default(),
    }
}

#[tokio::test]
async fn every_route_for_every_role_matches_the_access_table() {
    let app = TestApp::spawn().await;
    let table = expected_table();
    let mut routes = web::table();
    // Signing out ends the session the rest of the walk uses: do it last.
    routes.sort_by_key(|r| r.path == "/logout");

    let mut problems = Vec::new();
    let declared: BTreeSet<(String, String)> = routes
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    for key in table.keys() {
        if !declared.contains(key) {
            problems.push(format!(
                "access_table.txt lists {} {} but the server has no such route",
                key.0, key.1
            ));
        }
    }

    let mut roles: Vec<Option<Role>> = vec![None];
    roles.extend(Role::ALL.into_iter().map(Some));
    for role in roles {
        let client = match role {
            Some(r) => app.login(r).await,
            None => app.client(),
        };
        let csrf = client.csrf().await;
        for spec in &routes {
            let key = (spec.method.to_string(), spec.path.to_owned());
            let Some(who) = table.get(&key) else {
                if role.is_none() {
                    problems.push(format!(
                        "{} {} has no row in access_table.txt: decide who may reach it",
                        key.0, key.1
                    ));
                }
                continue;
            };
            let res = call(&client, &key.0, spec.path, &csrf).await;
            let signed_out = res.location.as_deref() == Some("/login?notice=signed-out");
            // The provider API refuses on HTTP 200 with a 3xxx code in the body, as the real one does.
            let api_refusal = spec.path.starts_with("/ispws")
                && res.status == 200
                && ["3000", "3100", "3300"].iter().any(|c| {
                    res.body
                        .contains(&format!("<responseCode>{c}</responseCode>"))
                });
            let denied = res.status == 403
                || res.status == 401
                || api_refusal
                || (res.redirects_to_login() && !signed_out);
            let label = role.map(|r| r.as_str()).unwrap_or("anonymous");
            if who.allows(role) {
                if denied {
                    problems.push(format!(
                        "{label} should reach {} {} but got {} {:?}",
                        key.0, key.1, res.status, res.location
                    ));
                }
            } else {
                let right_denial = match role {
                    None if spec.path.starts_with("/api/") || spec.path.starts_with("/ispws") => {
                        res.status == 401
                    }
                    None => res.redirects_to_login(),
                    Some(_) if spec.path.starts_with("/ispws") => api_refusal,
                    Some(_) => res.status == 403,
                };
                if !right_denial {
                    problems.push(format!(
                        "{label} should be refused {} {} but got {} {:?}",
                        key.0, key.1, res.status, res.location
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
