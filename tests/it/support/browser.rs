//! A real headless Chromium driven through chromedriver (the Debian packages `chromium` and
//! `chromium-driver`), started on a free port for as long as the value lives.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use super::process::{free_port, require_program, stop, wait_until};

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Browser {
        let chromedriver = require_program(
            "chromedriver",
            &[],
            "apt-get install chromium chromium-driver",
        );
        let port = free_port();
        let logs = tempfile::tempdir().unwrap();
        let log = logs.path().join("chromedriver.log");
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        wait_until("chromedriver", Duration::from_secs(20), &log, || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        let profile = tempfile::tempdir().unwrap();
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new",
                    // Tests run as root in CI containers, where Chromium's sandbox cannot start.
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    // The simulated store's certificate is its own.
                    "--ignore-certificate-errors",
                    "--window-size=1500,1100",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let client = ClientBuilder::rustls()
            .expect("rustls loads the system's roots")
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session starts");
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    /// Opens the dashboard at `app_url` and signs in with `token`.
    pub async fn sign_in(&self, app_url: &str, token: &str) {
        self.client
            .goto(&format!("{app_url}/dashboard"))
            .await
            .unwrap();
        self.wait_for("#token", 10)
            .await
            .send_keys(token)
            .await
            .unwrap();
        self.click("#sign-in").await;
    }

    /// Clicks the element `css` finds.
    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|error| panic!("no {css}: {error}"))
            .click()
            .await
            .unwrap();
    }

    /// Waits up to `seconds` for an element `css` finds.
    pub async fn wait_for(&self, css: &str, seconds: u64) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(seconds))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|error| panic!("no {css} within {seconds} s: {error}"))
    }

    /// Ends the session and chromedriver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        stop(&mut self.driver, "-TERM");
    }
}
