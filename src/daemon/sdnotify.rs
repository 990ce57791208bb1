//! systemd integration without a library: `READY=1` once every feed has published and
//! `WATCHDOG=1` pings, sent to `$NOTIFY_SOCKET` when systemd started us with `Type=notify`.

use std::sync::Arc;
use std::time::Duration;

use super::Shared;

/// Sends one state line to the notify socket; a no-op outside systemd.
pub fn notify(state: &str) {
    #[cfg(unix)]
    {
        let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
            return;
        };
        let Ok(sock) = std::os::unix::net::UnixDatagram::unbound() else {
            return;
        };
        let bytes = path.as_encoded_bytes();
        let result = if let Some(name) = bytes.strip_prefix(b"@") {
            // Abstract socket namespace (Linux).
            #[cfg(target_os = "linux")]
            {
                use std::os::linux::net::SocketAddrExt;
                std::os::unix::net::SocketAddr::from_abstract_name(name)
                    .and_then(|addr| sock.send_to_addr(state.as_bytes(), &addr))
            }
            #[cfg(not(target_os = "linux"))]
            {
                let _ = name;
                Ok(0)
            }
        } else {
            sock.send_to(state.as_bytes(), std::path::Path::new(&path))
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "Could not notify systemd.");
        }
    }
}

/// Reports readiness once every feed has published, then pings the watchdog at half
/// its interval while the runtime is healthy.
pub async fn supervise(shared: Arc<Shared>) {
    if std::env::var_os("NOTIFY_SOCKET").is_none() {
        return;
    }
    while !shared.ready() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    notify("READY=1\nSTATUS=every feed published");
    let Some(usec) = std::env::var("WATCHDOG_USEC")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|&u| u > 0)
    else {
        return;
    };
    let every = Duration::from_micros(usec / 2);
    loop {
        tokio::time::sleep(every).await;
        notify("WATCHDOG=1");
    }
}
