//! A blocking client for a ZenML server's REST API: password login, bearer
//! token, JSON in and out, every page of a list.

use serde_json::Value;
use std::time::Duration;

/// A failed request: what was asked and what the server answered.
#[derive(Debug, thiserror::Error)]
#[error("{method} {path}: {message}")]
pub struct HttpError {
    pub method: &'static str,
    pub path: String,
    pub status: Option<u16>,
    pub message: String,
}

pub struct Client {
    agent: ureq::Agent,
    base: String,
    token: String,
    /// Requests sent (for the report).
    pub requests: std::cell::Cell<u64>,
}

/// Page size of list requests (ZenML allows up to 10000).
const PAGE: usize = 1000;

impl Client {
    /// Log in to the server at `url` (`http://host:port`, without `/api/v1`).
    pub fn login(url: &str, username: &str, password: &str) -> Result<Client, HttpError> {
        let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(120)).build();
        let base = format!("{}/api/v1", url.trim_end_matches('/'));
        let mut client = Client { agent, base, token: String::new(), requests: std::cell::Cell::new(0) };
        let answer = client.send("POST", "/login", |r| {
            r.send_form(&[("username", username), ("password", password)]).map_err(Box::new)
        })?;
        client.token = answer
            .get("access_token")
            .and_then(Value::as_str)
            .ok_or_else(|| client.error("POST", "/login", None, "the answer holds no access_token".into()))?
            .to_string();
        Ok(client)
    }

    pub fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, HttpError> {
        self.send("GET", path, |r| query.iter().fold(r, |r, (k, v)| r.query(k, v)).call().map_err(Box::new))
    }

    pub fn post(&self, path: &str, body: &Value) -> Result<Value, HttpError> {
        self.send("POST", path, |r| r.send_json(body).map_err(Box::new))
    }

    /// Every item of a list endpoint, page by page (one page in memory at a time).
    pub fn each(&self, path: &str, query: &[(&str, &str)], mut f: impl FnMut(&Value)) -> Result<(), HttpError> {
        let size = PAGE.to_string();
        for page in 1.. {
            let page_text = page.to_string();
            let mut q = query.to_vec();
            q.extend([("size", size.as_str()), ("page", page_text.as_str())]);
            let answer = self.get(path, &q)?;
            if let Some(Value::Array(found)) = answer.get("items") {
                found.iter().for_each(&mut f);
            }
            let pages = answer.get("total_pages").and_then(Value::as_u64).unwrap_or(0);
            if page >= pages {
                break;
            }
        }
        Ok(())
    }

    fn send(
        &self,
        method: &'static str,
        path: &str,
        f: impl FnOnce(ureq::Request) -> Result<ureq::Response, Box<ureq::Error>>,
    ) -> Result<Value, HttpError> {
        let mut request = self.agent.request(method, &format!("{}{path}", self.base));
        if !self.token.is_empty() {
            request = request.set("Authorization", &format!("Bearer {}", self.token));
        }
        self.requests.set(self.requests.get() + 1);
        match f(request).map_err(|e| *e) {
            Ok(response) => {
                response.into_json().map_err(|e| self.error(method, path, None, format!("unreadable answer: {e}")))
            }
            Err(ureq::Error::Status(code, response)) => {
                let text = response.into_string().unwrap_or_default();
                let text: String = text.chars().take(600).collect();
                Err(self.error(method, path, Some(code), format!("HTTP {code}: {text}")))
            }
            Err(e) => Err(self.error(method, path, None, e.to_string())),
        }
    }

    fn error(&self, method: &'static str, path: &str, status: Option<u16>, message: String) -> HttpError {
        HttpError { method, path: path.to_string(), status, message }
    }
}

/// `item.name` of a list item.
pub fn name_of(item: &Value) -> Option<&str> {
    item.get("name").and_then(Value::as_str)
}

/// `item.id` of a list item.
pub fn id_of(item: &Value) -> Option<&str> {
    item.get("id").and_then(Value::as_str)
}
