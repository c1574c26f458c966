//! `dlgen import` on the pod volumes and token secrets of the fact sheet (stack-patterns
//! v2, sections 3.10 and 5.4): a secret volume of the stack's TLS secret, an NFS export
//! mounted inline, a volume whose source the spec has no form for (raw HCL at that one
//! volume only), and service-account token secrets written without `type` or the wait.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::import::{imported, renderer, stack_of};
use dlgen::render::Renderer;

const SYNC_LOGS_VOLUME: &str = "        volume {\n          name = \"sync-logs\"\n";
const DATA_MOUNT: &str = "          volume_mount {\n            name       = \"data\"\n            mount_path = \"/data/drone-logbook\"\n          }\n";

/// drone-logbook as a hand-written stack with `volumes` written between its two volumes
/// (`data`, `sync-logs`) and `mounts` after the `data` mount.
fn with_volumes(r: &Renderer, tmp: &Path, volumes: &str, mounts: &str) -> PathBuf {
    let (dir, main_tf) = stack_of(r, tmp, "");
    assert!(main_tf.contains(SYNC_LOGS_VOLUME), "{main_tf}");
    assert!(main_tf.contains(DATA_MOUNT), "{main_tf}");
    let edited = main_tf
        .replacen(SYNC_LOGS_VOLUME, &format!("{volumes}{SYNC_LOGS_VOLUME}"), 1)
        .replacen(DATA_MOUNT, &format!("{DATA_MOUNT}{mounts}"), 1);
    fs::write(dir.join("main.tf"), edited).expect("write");
    dir
}

/// The lines of the imported spec's `volumes:` list.
fn volumes_of(yaml: &str) -> String {
    yaml.lines()
        .skip_while(|l| *l != "volumes:")
        .skip(1)
        .take_while(|l| l.starts_with(' ') || l.starts_with('-'))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_volume_the_spec_cannot_say_keeps_only_its_source_raw() {
    // A `csi` and a `projected` source (no spec form) between two storage volumes: each
    // stays raw at its own volume; the volumes after it are still read, and the pod has
    // no raw HCL.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = with_volumes(
        &r,
        tmp.path(),
        "        volume {\n          name = \"cache\"\n          # The node's CSI scratch driver.\n          csi {\n            driver = \"csi.example.io\"\n            volume_attributes = {\n              size = \"1Gi\"\n            }\n          }\n        }\n        volume {\n          name = \"token\"\n          projected {\n            sources {\n              service_account_token {\n                path = \"token\"\n              }\n            }\n          }\n        }\n",
        "          volume_mount {\n            name       = \"cache\"\n            mount_path = \"/cache\"\n          }\n",
    );
    let got = imported(&dir, &r);
    let vols = volumes_of(&got.yaml);
    assert!(!got.yaml.contains("\n  pod: "), "no raw pod\n{}", got.yaml);
    assert!(vols.contains("- name: cache"), "{vols}");
    assert!(vols.contains("csi {"), "{vols}");
    assert!(vols.contains("# The node's CSI scratch driver."), "{vols}");
    assert!(vols.contains("mount: /cache"), "{vols}");
    assert!(vols.contains("- name: token"), "{vols}");
    assert!(vols.contains("projected {"), "{vols}");
    // The storage volumes on both sides are still the spec's.
    assert!(vols.contains("storage: proxmox-lvm-encrypted"), "{vols}");
    assert!(vols.contains("- name: sync-logs"), "{vols}");
    assert!(vols.contains("storage: nfs"), "{vols}");
    // Only the two sources are raw: 7 + 7 lines, and the comment.
    assert_eq!(got.raw_lines, 14, "{}", got.yaml);
    assert_eq!(
        got.raw_constructs
            .iter()
            .filter(|c| c.ends_with("volume > csi") || c.ends_with("volume > projected"))
            .count(),
        2,
        "{:?}",
        got.raw_constructs
    );
}

#[test]
fn a_secret_volume_of_the_tls_secret_is_read_as_tls() {
    // Stack-patterns v2 section 3.10: `secret { secret_name = var.tls_secret_name }` (3
    // stacks), with a file mode.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = with_volumes(
        &r,
        tmp.path(),
        "        # The app terminates TLS itself.\n        volume {\n          name = \"tls\"\n          secret {\n            secret_name  = var.tls_secret_name\n            default_mode = \"0400\"\n          }\n        }\n",
        "          volume_mount {\n            name       = \"tls\"\n            mount_path = \"/certs\"\n            read_only  = true\n          }\n",
    );
    let got = imported(&dir, &r);
    assert_eq!(got.raw_lines, 0, "{}", got.yaml);
    let vols = volumes_of(&got.yaml);
    assert!(vols.contains("tls: true"), "{vols}");
    assert!(
        vols.contains("comment: The app terminates TLS itself."),
        "{vols}"
    );
    assert!(vols.contains("default_mode: '0400'"), "{vols}");
    assert!(vols.contains("mount: /certs"), "{vols}");
}

#[test]
fn an_inline_nfs_volume_is_read_as_nfs() {
    // Stack-patterns v2 section 3.10: inline `nfs { server, path }` (freedify,
    // wealthfolio), the server a literal or the shared variable.
    let r = renderer();
    for (server, want) in [
        ("\"192.168.1.127\"", "server: 192.168.1.127"),
        ("var.nfs_server", "server: {var: nfs_server}"),
    ] {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = with_volumes(
            &r,
            tmp.path(),
            &format!(
                "        volume {{\n          name = \"music\"\n          nfs {{\n            server = {server}\n            path   = \"/srv/nfs/music\"\n          }}\n        }}\n"
            ),
            "          volume_mount {\n            name       = \"music\"\n            mount_path = \"/music\"\n          }\n",
        );
        let got = imported(&dir, &r);
        assert_eq!(got.raw_lines, 0, "{}", got.yaml);
        let vols = volumes_of(&got.yaml);
        assert!(vols.contains("nfs: {"), "{vols}");
        assert!(vols.contains(want), "{want}\n{vols}");
        assert!(vols.contains("path: /srv/nfs/music"), "{vols}");
        assert!(vols.contains("mount: /music"), "{vols}");
    }
}

#[test]
fn a_token_secret_written_without_its_type_or_wait_is_a_plain_secret() {
    // Stack-patterns v2 section 5.4: a token secret is written with `type =
    // "kubernetes.io/service-account-token"` and `wait_for_service_account_token = true`;
    // one written without either keeps the account's annotation as an annotation, with
    // the reference to the account the stack writes.
    let r = renderer();
    let extra = "service_accounts:\n  - name: dashboard\nkubernetes_secrets:\n  - name: dashboard-token\n    service_account: dashboard\n";
    let type_line = "  type                           = \"kubernetes.io/service-account-token\"\n";
    let wait_line = "  wait_for_service_account_token = true\n";
    for (case, drop) in [
        ("both", &[][..]),
        ("no type", &[type_line][..]),
        ("no wait", &[wait_line][..]),
        ("neither", &[type_line, wait_line][..]),
    ] {
        let tmp = tempfile::tempdir().expect("tmp");
        let (dir, main_tf) = stack_of(&r, tmp.path(), extra);
        let mut edited = main_tf.clone();
        for line in drop {
            assert!(edited.contains(line), "{case}\n{main_tf}");
            edited = edited.replacen(line, "", 1);
        }
        fs::write(dir.join("main.tf"), edited).expect("write");
        let got = imported(&dir, &r);
        assert_eq!(got.raw_lines, 0, "{case}\n{}", got.yaml);
        let said = got.yaml.contains("service_account: dashboard");
        assert_eq!(said, case == "both", "{case}\n{}", got.yaml);
        if case != "both" {
            assert!(
                got.yaml.contains(
                    "kubernetes.io/service-account.name:\n        ref: kubernetes_service_account.dashboard.metadata[0].name\n"
                ),
                "{case}\n{}",
                got.yaml
            );
        }
    }
}

#[test]
fn a_claim_the_spec_cannot_say_stays_raw_and_its_volume_names_it() {
    // A PVC of a storage class the spec has no storage for (`local-path`; a PVC sized by
    // a variable, stack-patterns v2 section 5.8, is `size_var` now). The PVC stays whole
    // in raw HCL; the pod's volume still names its claim, and the volume after it is
    // still read: the pod has no raw HCL.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let (dir, main_tf) = stack_of(&r, tmp.path(), "");
    let class = "storage_class_name = \"proxmox-lvm-encrypted\"";
    assert_eq!(main_tf.matches(class).count(), 1, "{main_tf}");
    let edited = main_tf.replacen(class, "storage_class_name = \"local-path\"", 1);
    fs::write(dir.join("main.tf"), edited).expect("write");
    let got = imported(&dir, &r);
    assert!(!got.yaml.contains("\n  pod: "), "no raw pod\n{}", got.yaml);
    assert!(
        got.yaml
            .contains("resource \"kubernetes_persistent_volume_claim\" \"data\""),
        "{}",
        got.yaml
    );
    let vols = volumes_of(&got.yaml);
    assert!(
        vols.contains("claim: drone-logbook-data-encrypted"),
        "{vols}"
    );
    assert!(vols.contains("mount: /data/drone-logbook"), "{vols}");
    assert!(vols.contains("storage: nfs"), "{vols}");
}

#[test]
fn a_job_volume_the_spec_cannot_say_keeps_only_its_source_raw() {
    // A CronJob's pod volume of a source without a spec form: the job is still the
    // spec's, with that one source raw at its volume.
    let r = renderer();
    let tmp = tempfile::tempdir().expect("tmp");
    let jobs = "jobs:
  - name: drone-logbook-prune
    schedule: \"0 4 * * *\"
    containers:
      - image: docker.io/library/alpine:3.20
        command: [/bin/sh, -c, prune]
        resources: {cpu: 5m, memory: 16Mi}
    volumes:
      - {name: data, claim: drone-logbook-data-encrypted, mount: /data, read_only: true}
      - name: scratch
        mount: /scratch
        raw: |
          csi {
            driver = \"csi.example.io\"
          }
      - {name: tmp, empty_dir: {}, mount: /tmp}
";
    let (dir, main_tf) = stack_of(&r, tmp.path(), jobs);
    assert!(main_tf.contains("csi {"), "{main_tf}");
    let got = imported(&dir, &r);
    assert!(
        !got.yaml.contains("resource \"kubernetes_cron_job_v1\""),
        "the job is the spec's\n{}",
        got.yaml
    );
    assert_eq!(got.raw_lines, 3, "{}", got.yaml);
    let job = &got.yaml[got.yaml.find("\njobs:\n").expect("jobs")..];
    assert!(job.contains("- name: scratch"), "{job}");
    assert!(job.contains("driver = \"csi.example.io\""), "{job}");
    assert!(job.contains("empty_dir: {}"), "{job}");
    assert!(
        got.raw_constructs
            .iter()
            .any(|c| c.ends_with("template > spec > volume > csi")),
        "{:?}",
        got.raw_constructs
    );
}
