//! Headless Chromium for tests of the HTML report: loads a page, dumps its
//! DOM, captures its console and takes a screenshot. Installs Debian's
//! `chromium` when missing and running as root; otherwise fails with the
//! command to run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(30);

pub fn chromium() -> PathBuf {
    let find = || {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
    };
    if let Some(path) = find() {
        return path;
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    assert!(
        root,
        "chromium is missing; install it with `sudo apt-get install -y chromium` or `cargo xtask setup`"
    );
    for args in [
        &["update", "-qq"][..],
        &["install", "-y", "-qq", "chromium"][..],
    ] {
        let status = Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(args)
            .stdout(Stdio::null())
            .status()
            .expect("run apt-get");
        assert!(status.success(), "apt-get {args:?} failed");
    }
    find().expect("chromium installed but not found in /usr/bin")
}

pub struct Rendered {
    pub dom: String,
    /// Messages the page wrote to its console.
    pub console: Vec<String>,
    /// Chromium's own fatal lines (a crashed renderer).
    pub fatal: Vec<String>,
    pub screenshot: Vec<u8>,
}

/// Loads `page` headless, dumps its DOM and takes a screenshot.
pub fn render(page: &Path, work: &Path, window: (u32, u32)) -> Rendered {
    let profile_dir = work.join("chromium-profile");
    let screenshot = work.join("screenshot.png");
    let url = format!("file://{}", page.display());
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--hide-scrollbars",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile_dir.display()))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(format!("--window-size={},{}", window.0, window.1))
        .arg(url)
        .stdout(Stdio::from(
            std::fs::File::create(work.join("dom.html")).unwrap(),
        ))
        .stderr(Stdio::from(
            std::fs::File::create(work.join("stderr.txt")).unwrap(),
        ))
        .spawn()
        .expect("start chromium");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium exited with {status}");
            break;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let stderr = std::fs::read_to_string(work.join("stderr.txt")).unwrap();
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    let fatal = stderr
        .lines()
        .filter(|l| l.contains(":FATAL:"))
        .map(str::to_string)
        .collect();
    Rendered {
        dom: std::fs::read_to_string(work.join("dom.html")).unwrap(),
        console,
        fatal,
        screenshot: std::fs::read(&screenshot).unwrap_or_default(),
    }
}
