//! A TCP relay between a server under test and PostgreSQL or Redis, that the test can cut and
//! restore: to the server, a cut looks like the engine going away (every open connection
//! drops, new ones are closed at once), and restoring it like the engine coming back, with its
//! data intact.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};

use tokio::{
    net::{TcpListener, TcpStream},
    sync::watch,
};

pub struct FaultProxy {
    pub addr: std::net::SocketAddr,
    up: Arc<AtomicBool>,
    cut: watch::Sender<u64>,
}

impl FaultProxy {
    pub async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let (cut, cuts) = watch::channel(0u64);
        let is_up = up.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if !is_up.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let upstream = upstream.clone();
                let mut cuts = cuts.clone();
                // Only a cut after this connection opened ends it.
                cuts.borrow_and_update();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(&upstream).await else { return };
                    let (mut c, mut s) = (client, server);
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut c, &mut s) => {}
                        _ = cuts.changed() => {}
                    }
                });
            }
        });
        Self { addr, up, cut }
    }

    /// The engine "stops": open connections drop, new ones are refused.
    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.cut.send_modify(|n| *n += 1);
    }

    /// The engine is back.
    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }

    /// `url` with its host:port replaced by this relay's.
    pub fn url_for(&self, url: &str) -> String {
        let (scheme, rest) = url.split_once("://").unwrap();
        let (auth, hostpath) = match rest.rsplit_once('@') {
            Some((a, h)) => (format!("{a}@"), h),
            None => (String::new(), rest),
        };
        let path = hostpath.find('/').map(|i| &hostpath[i..]).unwrap_or("");
        format!("{scheme}://{auth}{}{path}", self.addr)
    }
}

/// host:port of a URL.
pub fn host_port(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    let hostpath = rest.rsplit_once('@').map(|(_, h)| h).unwrap_or(rest);
    hostpath.split('/').next().unwrap().to_owned()
}
