//! The one HTTP client every remote source uses: timeouts, retries, conditional GET, limits.
//! Blocking (the pipeline is synchronous); time is injected so retry tests never really sleep.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{
    ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER,
};

use super::error::SourceError;

/// `User-Agent` of every request: who we are and where to complain.
pub const USER_AGENT: &str = concat!(
    "jobfeed/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/jobfeed/jobfeed)"
);

/// At most this many requests in flight per host, across all sources of the process.
pub const PER_HOST: usize = 2;

/// Waiting and the wall clock, injectable so tests can prove backoff without sleeping.
pub trait Sleeper: Send + Sync {
    fn sleep(&self, d: Duration);
    fn now(&self) -> SystemTime;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealSleeper;

impl Sleeper for RealSleeper {
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d)
    }
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Limits and retry policy of one client.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpOptions {
    pub connect_timeout: Duration,
    /// Longest time for one whole request, body included.
    pub timeout: Duration,
    /// Largest body accepted, after decompression.
    pub max_bytes: u64,
    /// Further attempts after the first, on connect errors, 429 and 5xx.
    pub retries: u32,
    /// First backoff delay; doubles per attempt, with jitter.
    pub backoff: Duration,
    pub backoff_max: Duration,
    /// A `Retry-After` longer than this is not waited for: the fetch fails (last good kept).
    pub retry_after_max: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            max_bytes: 20 * 1024 * 1024,
            retries: 3,
            backoff: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            retry_after_max: Duration::from_secs(120),
        }
    }
}

/// Validators of a stored answer, sent back for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// A successful answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    Body {
        body: Vec<u8>,
        validators: Validators,
    },
    /// 304: the stored body is still current.
    NotModified,
}

/// The shared client.
#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::blocking::Client,
    opts: HttpOptions,
    sleeper: Arc<dyn Sleeper>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("opts", &self.opts)
            .finish()
    }
}

enum Attempt {
    /// Worth another try, after `after` if the server said so.
    Retry(SourceError, Option<Duration>),
    Fail(SourceError),
}

impl HttpClient {
    /// Builds a client. Must not be called from inside an async runtime (reqwest blocking).
    pub fn new(opts: HttpOptions, sleeper: Arc<dyn Sleeper>) -> Result<Self, SourceError> {
        let client = reqwest::blocking::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.timeout)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| SourceError::Config(format!("HTTP client: {e}")))?;
        Ok(HttpClient {
            client,
            opts,
            sleeper,
        })
    }

    pub fn options(&self) -> &HttpOptions {
        &self.opts
    }

    /// GETs `url`, retrying what is worth retrying; `stored` makes it conditional.
    pub fn get(&self, url: &str, stored: &Validators) -> Result<Fetched, SourceError> {
        self.get_within(url, stored, self.opts.max_bytes)
    }

    /// Like [`HttpClient::get`], but accepts at most `limit` body bytes (at most `max_bytes`),
    /// so a caller with a budget across answers stops reading where the budget ends.
    pub fn get_within(
        &self,
        url: &str,
        stored: &Validators,
        limit: u64,
    ) -> Result<Fetched, SourceError> {
        let limit = limit.min(self.opts.max_bytes);
        let host = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| format!("{h}:{}", u.port_or_known_default().unwrap_or(0)))
            })
            .unwrap_or_default();
        let mut attempt = 0u32;
        loop {
            let result = {
                let _permit = HostPermit::acquire(&host);
                self.once(url, stored, limit)
            };
            match result {
                Ok(f) => return Ok(f),
                Err(Attempt::Fail(e)) => return Err(e),
                Err(Attempt::Retry(e, after)) => {
                    if attempt >= self.opts.retries {
                        return Err(match e {
                            SourceError::Status { url, status, .. } => SourceError::Status {
                                url,
                                status,
                                attempts: attempt + 1,
                            },
                            e => e,
                        });
                    }
                    let wait = match after {
                        Some(d) if d > self.opts.retry_after_max => {
                            return Err(SourceError::RetryTooLate {
                                url: url.to_string(),
                                seconds: d.as_secs(),
                            });
                        }
                        Some(d) => d,
                        None => self.backoff(attempt, url),
                    };
                    tracing::debug!(url, attempt, ?wait, error = %e, "retrying");
                    self.sleeper.sleep(wait);
                    attempt += 1;
                }
            }
        }
    }

    /// Exponential backoff with "equal jitter": half fixed, half random, so clients spread out.
    fn backoff(&self, attempt: u32, url: &str) -> Duration {
        let full = self
            .opts
            .backoff
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.opts.backoff_max);
        let half = full / 2;
        let seed = std::hash::BuildHasher::hash_one(
            &std::collections::hash_map::RandomState::new(),
            (url, attempt),
        );
        let half_nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX - 1);
        let extra = seed % (half_nanos + 1);
        half + Duration::from_nanos(extra)
    }

    fn once(&self, url: &str, stored: &Validators, limit: u64) -> Result<Fetched, Attempt> {
        // The per-request timeout is the one deadline that covers the body too: the client-wide
        // one only bounds each read, so a server dripping a byte a second would never hit it.
        let mut req = self.client.get(url).timeout(self.opts.timeout);
        if let Some(e) = &stored.etag {
            req = req.header(IF_NONE_MATCH, e);
        }
        if let Some(m) = &stored.last_modified {
            req = req.header(IF_MODIFIED_SINCE, m);
        }
        let resp = req.send().map_err(|e| classify(url, e))?;
        let status = resp.status();
        if status == StatusCode::NOT_MODIFIED && !stored.is_empty() {
            return Ok(Fetched::NotModified);
        }
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let after = retry_after(resp.headers(), self.sleeper.now());
            return Err(Attempt::Retry(
                SourceError::Status {
                    url: url.to_string(),
                    status: status.as_u16(),
                    attempts: 1,
                },
                after,
            ));
        }
        if !status.is_success() {
            return Err(Attempt::Fail(SourceError::Status {
                url: url.to_string(),
                status: status.as_u16(),
                attempts: 1,
            }));
        }
        if resp.content_length().is_some_and(|n| n > limit) {
            return Err(Attempt::Fail(SourceError::TooLarge {
                url: url.to_string(),
                limit,
            }));
        }
        let validators = Validators {
            etag: header(resp.headers(), ETAG.as_str()),
            last_modified: header(resp.headers(), LAST_MODIFIED.as_str()),
        };
        // Read at most one byte past the limit: enough to know it is too large, never more.
        let mut body = Vec::new();
        // Saturating: `max_bytes = u64::MAX` in a config must not overflow.
        let mut limited = resp.take(limit.saturating_add(1));
        if let Err(e) = limited.read_to_end(&mut body) {
            let text = error_chain(&e);
            return Err(Attempt::Fail(
                if text.contains("timed out") || text.contains("timeout") {
                    SourceError::Timeout {
                        url: url.to_string(),
                        reason: text,
                    }
                } else {
                    SourceError::Truncated {
                        url: url.to_string(),
                        reason: text,
                    }
                },
            ));
        }
        if body.len() as u64 > limit {
            return Err(Attempt::Fail(SourceError::TooLarge {
                url: url.to_string(),
                limit,
            }));
        }
        Ok(Fetched::Body { body, validators })
    }
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// `Retry-After` as seconds or as an HTTP date (relative to `now`).
pub fn retry_after(h: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let v = h.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        let t = inner.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = inner.source();
    }
    s
}

fn classify(url: &str, e: reqwest::Error) -> Attempt {
    let reason = error_chain(&e);
    let url = url.to_string();
    if e.is_timeout() {
        // Not retried: a slow server would multiply the run's time.
        Attempt::Fail(SourceError::Timeout { url, reason })
    } else if e.is_redirect() {
        Attempt::Fail(SourceError::Redirect { url, reason })
    } else if let Some(tls) = tls_error(&e) {
        // A certificate or protocol failure does not heal in seconds: not retried.
        Attempt::Fail(SourceError::Tls {
            url,
            reason: tls.to_string(),
        })
    } else if e.is_connect() {
        Attempt::Retry(SourceError::Connect { url, reason }, None)
    } else if e.is_body() || e.is_decode() {
        Attempt::Fail(SourceError::Truncated { url, reason })
    } else {
        Attempt::Fail(SourceError::Http { url, reason })
    }
}

/// The TLS failure behind `e`, if any. rustls reports through (nested) `io::Error`s, whose
/// `source()` skips the error they wrap, so those links are followed with `get_ref`.
fn tls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<rustls::Error>() {
            return Some(t);
        }
        cur = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

/// Per-host counting semaphore (process-wide), so no host sees more than `PER_HOST` at once.
struct HostPermit {
    host: String,
}

fn hosts() -> &'static (Mutex<HashMap<String, usize>>, Condvar) {
    static HOSTS: OnceLock<(Mutex<HashMap<String, usize>>, Condvar)> = OnceLock::new();
    HOSTS.get_or_init(|| (Mutex::new(HashMap::new()), Condvar::new()))
}

impl HostPermit {
    fn acquire(host: &str) -> Self {
        let (lock, cv) = hosts();
        let mut map = lock.lock().unwrap_or_else(|p| p.into_inner());
        while map.get(host).copied().unwrap_or(0) >= PER_HOST {
            map = cv.wait(map).unwrap_or_else(|p| p.into_inner());
        }
        *map.entry(host.to_string()).or_insert(0) += 1;
        HostPermit {
            host: host.to_string(),
        }
    }
}

impl Drop for HostPermit {
    fn drop(&mut self) {
        let (lock, cv) = hosts();
        let mut map = lock.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = map.get_mut(&self.host) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&self.host);
            }
        }
        cv.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(42));
        h.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(42)));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h, now), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_stays_under_the_cap() {
        let c = HttpClient::new(HttpOptions::default(), Arc::new(RealSleeper)).unwrap();
        for attempt in 0..8 {
            let d = c.backoff(attempt, "http://x");
            let full = (Duration::from_millis(500) * (1 << attempt)).min(Duration::from_secs(30));
            assert!(d >= full / 2 && d <= full, "{attempt}: {d:?}");
        }
    }

    /// A server that sends its headers, then one body byte every 100 ms for up to 30 s.
    fn drip_server() -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            use std::io::Write;
            let Ok((mut conn, _)) = listener.accept() else {
                return;
            };
            let mut head = [0u8; 1024];
            let _ = conn.read(&mut head);
            let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
            for _ in 0..300 {
                if conn.write_all(b" ").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        format!("http://{addr}/")
    }

    #[test]
    fn the_timeout_bounds_the_whole_body_not_each_read() {
        let url = drip_server();
        let opts = HttpOptions {
            timeout: Duration::from_millis(500),
            retries: 0,
            ..HttpOptions::default()
        };
        let client = HttpClient::new(opts, Arc::new(RealSleeper)).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(client.get(&url, &Validators::default()));
        });
        // Each read gets a byte within 100 ms, so only a whole-request deadline ends this;
        // without one it would drip for 30 s.
        let got = rx
            .recv_timeout(Duration::from_secs(15))
            .expect("a dripping body outlived the 500 ms timeout");
        assert!(matches!(got, Err(SourceError::Timeout { .. })), "{got:?}");
    }

    #[test]
    fn a_failed_tls_handshake_is_a_tls_error_and_not_retried() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            use std::io::Write;
            // Plain HTTP in answer to every ClientHello (at most two connections).
            for _ in 0..2 {
                let Ok((mut conn, _)) = listener.accept() else {
                    return;
                };
                let mut hello = [0u8; 512];
                let _ = conn.read(&mut hello);
                let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
            }
        });
        let sleeps = Arc::new(Counting::default());
        let opts = HttpOptions {
            retries: 1,
            ..HttpOptions::default()
        };
        let client = HttpClient::new(opts, sleeps.clone()).unwrap();
        let got = client.get(&format!("https://{addr}/"), &Validators::default());
        match got {
            Err(e @ SourceError::Tls { .. }) => {
                assert!(e.to_string().starts_with("TLS with https://"), "{e}")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(*sleeps.0.lock().unwrap(), 0, "not retried");
    }

    #[derive(Default)]
    struct Counting(Mutex<u32>);

    impl Sleeper for Counting {
        fn sleep(&self, _: Duration) {
            *self.0.lock().unwrap() += 1;
        }
        fn now(&self) -> SystemTime {
            SystemTime::now()
        }
    }

    #[test]
    fn per_host_permits_never_exceed_two() {
        let a = HostPermit::acquire("h:1");
        let b = HostPermit::acquire("h:1");
        let (lock, _) = hosts();
        assert_eq!(lock.lock().unwrap().get("h:1"), Some(&2));
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let d2 = done.clone();
        let t = std::thread::spawn(move || {
            let _c = HostPermit::acquire("h:1");
            d2.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        std::thread::sleep(Duration::from_millis(50));
        assert!(!done.load(std::sync::atomic::Ordering::SeqCst));
        drop(a);
        t.join().unwrap();
        assert!(done.load(std::sync::atomic::Ordering::SeqCst));
        drop(b);
    }
}
