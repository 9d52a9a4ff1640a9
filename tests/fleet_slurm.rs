//! The fleet job script under a real Slurm: a one-node cluster on localhost
//! (munged, slurmctld and slurmd from Debian's slurm-wlm and munge, started
//! without systemd, with a generated slurm.conf in a temporary folder and
//! free ports), the script submitted as a job array of 9 tasks on the CPU
//! device and lavapipe, then `hashwatt fleet` on what the tasks wrote: one
//! result per task, totals that are the sums over the nodes, the task given
//! a device that does not exist listed as missing, the task made slow named
//! as an outlier, the task whose verify fails refused.
//!
//! It runs with CI set (`.ci/run` installs slurm-wlm and munge) or with
//! HASHWATT_TEST_SLURM=1; otherwise it skips and says why. With CI set, a
//! missing binary or a daemon that does not start fails it. Each daemon is
//! stopped by its own process id when the test ends, failed or not (a
//! guard's Drop), after the job is cancelled.
// Test harnesses print as harnesses do; the output layer is for the program.
#![allow(clippy::disallowed_macros)]

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::fleet::{self as fleet_test, check_merge, fleet_json, hashwatt, Array};

const BINARIES: [&str; 9] = [
    "munged",
    "mungekey",
    "slurmctld",
    "slurmd",
    "sbatch",
    "squeue",
    "scancel",
    "sinfo",
    "hostname",
];
/// The whole array runs in well under a minute on two cores; this is for a
/// machine that is busy with something else.
const JOB_TIMEOUT: Duration = Duration::from_secs(420);

fn array() -> Array {
    Array {
        tasks: 9,
        normal: vec![0, 1, 2, 3, 4],
        slow: 5,
        lavapipe: Some(6),
        bad_device: 7,
        failed_verify: 8,
        never: None,
    }
}

/// Whether to run, or why not.
fn wanted() -> Result<(), String> {
    let ci = std::env::var_os("CI").is_some();
    if !ci && std::env::var_os("HASHWATT_TEST_SLURM").is_none() {
        return Err("CI is not set (set CI=1 or HASHWATT_TEST_SLURM=1 to run it)".into());
    }
    let missing: Vec<&str> = BINARIES
        .iter()
        .copied()
        .filter(|b| which(b).is_none())
        .collect();
    if !missing.is_empty() {
        let why = format!(
            "{} not installed (Debian: apt-get install slurm-wlm munge; .ci/run does)",
            missing.join(", ")
        );
        assert!(!ci, "CI is set but {why}");
        return Err(why);
    }
    Ok(())
}

fn which(binary: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .map(|dir| dir.join(binary))
        .find(|p| p.is_file())
}

/// A daemon started in the foreground, with its output in a log file.
struct Daemon {
    name: &'static str,
    child: Child,
    log: PathBuf,
}

/// The cluster; dropping it cancels the job and stops every daemon.
struct Cluster {
    dir: tempfile::TempDir,
    conf: PathBuf,
    daemons: Vec<Daemon>,
    job: Option<String>,
}

impl Cluster {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A Slurm client command pointed at this cluster.
    fn client(&self, binary: &str) -> Command {
        let mut command = Command::new(which(binary).unwrap_or_else(|| binary.into()));
        command.env("SLURM_CONF", &self.conf);
        command
    }

    fn spawn(&mut self, name: &'static str, binary: &str, args: &[&str]) -> Result<(), String> {
        let log = self.path(&format!("{name}.stdout"));
        let file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let mut command = Command::new(which(binary).ok_or(format!("no {binary}"))?);
        command
            .args(args)
            .env("SLURM_CONF", &self.conf)
            .stdin(Stdio::null())
            .stdout(file.try_clone().map_err(|e| e.to_string())?)
            .stderr(file);
        // Should the test process die without unwinding, the daemon gets
        // SIGTERM from the kernel instead of outliving it.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start {binary}: {e}"))?;
        self.daemons.push(Daemon { name, child, log });
        Ok(())
    }

    /// Waits for `ready`, or says which daemon ended and what it logged.
    fn wait_for(&mut self, what: &str, ready: impl Fn(&Cluster) -> bool) -> Result<(), String> {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if ready(self) {
                return Ok(());
            }
            for daemon in &mut self.daemons {
                if let Ok(Some(status)) = daemon.child.try_wait() {
                    return Err(format!(
                        "{} ended ({status}) before {what}: {}",
                        daemon.name,
                        tail(&daemon.log)
                    ));
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(format!(
            "{what} did not happen within 30 s: {}",
            self.logs()
        ))
    }

    fn logs(&self) -> String {
        self.daemons
            .iter()
            .map(|d| format!("[{}] {}", d.name, tail(&d.log)))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Cancels the job if it is still there, then stops each daemon by its
    /// process id: SIGTERM, then SIGKILL after 15 s.
    fn stop(&mut self) -> Vec<String> {
        if let Some(job) = self.job.take() {
            let _ = self.client("scancel").arg(&job).output();
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(20) && self.queued(&job) {
                std::thread::sleep(Duration::from_millis(250));
            }
        }
        let mut left = Vec::new();
        for daemon in self.daemons.iter_mut().rev() {
            let pid = daemon.child.id() as libc::pid_t;
            if daemon.child.try_wait().ok().flatten().is_some() {
                continue;
            }
            unsafe { libc::kill(pid, libc::SIGTERM) };
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(15) {
                if daemon.child.try_wait().ok().flatten().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            if daemon.child.try_wait().ok().flatten().is_none() {
                let _ = daemon.child.kill();
                let _ = daemon.child.wait();
                left.push(format!("{} (pid {pid}) needed SIGKILL", daemon.name));
            }
        }
        self.daemons.clear();
        left
    }

    /// Whether the job still has a task queued or running.
    fn queued(&self, job: &str) -> bool {
        self.client("squeue")
            .args(["-h", "-j", job, "-o", "%i"])
            .output()
            .map(|o| !String::from_utf8_lossy(&o.stdout).trim().is_empty())
            .unwrap_or(false)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for line in self.stop() {
            eprintln!("fleet_slurm: {line}");
        }
    }
}

fn tail(path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut file) = std::fs::File::open(path) {
        let _ = file.read_to_string(&mut text);
    }
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

fn run(command: &mut Command) -> Result<Output, String> {
    let output = command.output().map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// Two free TCP ports on localhost, for slurmctld and slurmd.
fn free_ports() -> (u16, u16) {
    let a = TcpListener::bind("127.0.0.1:0").unwrap();
    let b = TcpListener::bind("127.0.0.1:0").unwrap();
    (
        a.local_addr().unwrap().port(),
        b.local_addr().unwrap().port(),
    )
}

/// munged, slurmctld and slurmd, up and the node idle.
fn start() -> Result<Cluster, String> {
    let dir = tempfile::Builder::new()
        .prefix("hashwatt-slurm-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    // munged wants every folder above its socket searchable by all.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
        .map_err(|e| e.to_string())?;
    let mut cluster = Cluster {
        conf: dir.path().join("slurm.conf"),
        dir,
        daemons: Vec::new(),
        job: None,
    };
    for folder in ["munge-key", "munge", "state", "spool", "log", "out"] {
        std::fs::create_dir_all(cluster.path(folder)).map_err(|e| e.to_string())?;
    }
    std::fs::set_permissions(
        cluster.path("munge-key"),
        std::fs::Permissions::from_mode(0o700),
    )
    .map_err(|e| e.to_string())?;
    let key = cluster.path("munge-key/munge.key");
    run(Command::new(which("mungekey").unwrap())
        .args(["--create", "--keyfile"])
        .arg(&key))?;
    let socket = cluster.path("munge/munge.socket");
    let arg = |flag: &str, path: PathBuf| format!("{flag}={}", path.display());
    let munge_args = [
        arg("--socket", socket.clone()),
        arg("--key-file", key),
        arg("--pid-file", cluster.path("munge/munged.pid")),
        arg("--log-file", cluster.path("log/munged.log")),
        arg("--seed-file", cluster.path("munge/munged.seed")),
    ];
    let mut args = vec!["--foreground"];
    args.extend(munge_args.iter().map(String::as_str));
    cluster.spawn("munged", "munged", &args)?;
    let probe = socket.clone();
    cluster.wait_for("munged's socket", move |_| probe.exists())?;

    // The node as slurmd sees it (name, CPUs, sockets, cores, threads).
    let node = run(Command::new(which("slurmd").unwrap()).arg("-C"))?;
    let node = String::from_utf8_lossy(&node.stdout);
    let node_line = node
        .lines()
        .find(|l| l.starts_with("NodeName="))
        .ok_or("slurmd -C printed no NodeName")?;
    let node_name = node_line
        .split_whitespace()
        .next()
        .and_then(|w| w.strip_prefix("NodeName="))
        .ok_or("no node name")?
        .to_string();
    let node_line: String = node_line
        .split_whitespace()
        .filter(|w| !w.starts_with("RealMemory=") && !w.starts_with("UpTime="))
        .collect::<Vec<_>>()
        .join(" ");
    let user = String::from_utf8_lossy(&run(Command::new("id").arg("-un"))?.stdout)
        .trim()
        .to_string();
    let (ctld_port, d_port) = free_ports();
    let p = |name: &str| cluster.path(name).display().to_string();
    let conf = format!(
        "# Generated by tests/fleet_slurm.rs: one node on localhost.
ClusterName=hashwatt-test
SlurmctldHost={node_name}(127.0.0.1)
SlurmUser={user}
SlurmdUser={user}
SlurmctldPort={ctld_port}
SlurmdPort={d_port}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={socket}
StateSaveLocation={state}
SlurmdSpoolDir={spool}
SlurmctldPidFile={ctld_pid}
SlurmdPidFile={d_pid}
SlurmctldLogFile={ctld_log}
SlurmdLogFile={d_log}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
{node_line} NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes={node_name} Default=YES MaxTime=INFINITE State=UP
",
        socket = socket.display(),
        state = p("state"),
        spool = p("spool"),
        ctld_pid = p("slurmctld.pid"),
        d_pid = p("slurmd.pid"),
        ctld_log = p("log/slurmctld.log"),
        d_log = p("log/slurmd.log"),
    );
    std::fs::write(&cluster.conf, conf).map_err(|e| e.to_string())?;
    let conf = cluster.conf.display().to_string();
    cluster.spawn("slurmctld", "slurmctld", &["-D", "-i", "-f", &conf])?;
    cluster.spawn("slurmd", "slurmd", &["-D", "-f", &conf])?;
    cluster.wait_for("the node to be idle", |c| {
        c.client("sinfo")
            .args(["-h", "-o", "%T"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "idle")
            .unwrap_or(false)
    })?;
    Ok(cluster)
}

#[test]
fn the_job_script_on_a_real_slurm() {
    if let Err(why) = wanted() {
        eprintln!("fleet_slurm: skipped: {why}");
        return;
    }
    let mut cluster = match start() {
        Ok(cluster) => cluster,
        Err(why) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but the Slurm daemons did not start: {why}"
            );
            eprintln!("fleet_slurm: skipped: the daemons did not start: {why}");
            return;
        }
    };
    let array = array();
    let out = cluster.path("out");
    let env = array.env(&out, None);
    let submitted = cluster
        .client("sbatch")
        .args([
            "--parsable",
            &format!("--array=0-{}%1", array.tasks - 1),
            // No GPU resource on this cluster: the CPU device and lavapipe.
            "--gpus-per-task=0",
            "--job-name=hashwatt-fleet-test",
        ])
        .arg(format!(
            "--output={}",
            cluster.path("log/task-%A_%a.out").display()
        ))
        .arg(format!("--chdir={}", cluster.path("out").display()))
        .arg(fleet_test::SCRIPT)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .expect("sbatch runs");
    assert!(
        submitted.status.success(),
        "sbatch: {}\n{}",
        String::from_utf8_lossy(&submitted.stderr),
        cluster.logs()
    );
    let job = String::from_utf8_lossy(&submitted.stdout)
        .trim()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(job.bytes().all(|b| b.is_ascii_digit()), "job id {job:?}");
    cluster.job = Some(job.clone());
    let started = Instant::now();
    while cluster.queued(&job) {
        assert!(
            started.elapsed() < JOB_TIMEOUT,
            "job {job} still queued or running after {JOB_TIMEOUT:?}: {}",
            cluster.logs()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    cluster.job = None;
    eprintln!(
        "fleet_slurm: job {job} ({} tasks) ended in {:.0} s",
        array.tasks,
        started.elapsed().as_secs_f64()
    );

    let report = fleet_json(&[out.to_str().unwrap()]);
    check_merge(&report, &array, &out);
    let summary = &report["jobs"][0];
    assert_eq!(summary["job"], job.as_str());
    assert_eq!(summary["scheduler"], "slurm");
    assert_eq!(summary["expected"], format!("0-{}", array.tasks - 1));
    let lavapipe = report["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["task"]["index"] == array.lavapipe.unwrap())
        .unwrap();
    assert_eq!(lavapipe["backend"], "vulkan", "{lavapipe}");
    // Each task's own Slurm output file is there, named %A_%a.
    for index in 0..array.tasks {
        assert!(
            cluster
                .path(&format!("log/task-{job}_{index}.out"))
                .is_file(),
            "no Slurm output for task {index}"
        );
    }

    // What a user sees, kept in the test's output.
    let table = hashwatt(&["fleet", out.to_str().unwrap()]);
    eprintln!(
        "$ hashwatt fleet OUT\n{}",
        String::from_utf8_lossy(&table.stdout)
    );
    let estimate = hashwatt(&["estimate", "--from-fleet", out.to_str().unwrap()]);
    assert!(estimate.status.success());
    let text = String::from_utf8_lossy(&estimate.stdout);
    let counted = array.normal.len() + 2;
    assert!(
        text.contains(&format!("measured (fleet of {counted} nodes")),
        "{text}"
    );
    eprintln!("$ hashwatt estimate --from-fleet OUT\n{text}");
    if let Some(keep) = std::env::var_os("HASHWATT_KEEP_FLEET") {
        let keep = PathBuf::from(keep);
        std::fs::create_dir_all(&keep).unwrap();
        for entry in std::fs::read_dir(&out).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, keep.join(path.file_name().unwrap())).unwrap();
        }
    }

    let left = cluster.stop();
    assert!(left.is_empty(), "{left:?}");
}
