//! `dlgen new`: the text of a new spec, with the conventions in force spelled out as
//! comments, and proof that it renders as it stands.
//!
//! The spec names what a service needs (its image, port and resources, and an ingress
//! behind Authentik); everything else is a convention that applies without being written,
//! and the comments say which, with the field that changes it. Commented-out examples show
//! the common additions (environment, secrets, storage); uncommented, they render too (the
//! tests do exactly that). The lists of choices (`tier`, `storage`, `auth`) come from the
//! spec's schema, so they follow the spec types.

use crate::error::Error;
use crate::generate;
use crate::render::{RenderedFile, Renderer};
use crate::{conventions, schema, validate};

/// What `dlgen new` was asked for.
#[derive(Debug, Clone)]
pub struct NewSpec {
    pub name: String,
    /// Default: the repo's own registry, `<registry>/<name>:latest`.
    pub image: Option<String>,
    /// Default 80.
    pub port: Option<u16>,
}

/// The port a new spec's container listens on unless told.
pub const DEFAULT_PORT: u16 = 80;

impl NewSpec {
    /// Checks the name and image before anything is built from them.
    pub fn validate(&self) -> Result<(), Error> {
        validate::dns_label(&self.name).map_err(|why| {
            Error::Message(format!(
                "error: the name `{}` {why}; it names the stack directory, namespace and app",
                crate::diag::printable(&self.name)
            ))
        })?;
        if let Some(image) = &self.image {
            validate::image(image).map_err(|why| {
                Error::Message(format!(
                    "error: --image `{}` {why}",
                    crate::diag::printable(image)
                ))
            })?;
        }
        if self.port == Some(0) {
            return Err(Error::Message(
                "error: --port 0 is not a port; give the port the app listens on (1-65535)"
                    .to_owned(),
            ));
        }
        Ok(())
    }

    fn image(&self) -> String {
        self.image.clone().unwrap_or_else(|| {
            format!(
                "{}/{}:latest",
                conventions::images::OWNED_REGISTRY,
                self.name
            )
        })
    }

    /// The spec text. `schema_ref` is the modeline's path to the JSON Schema, relative to
    /// the spec file.
    pub fn text(&self, schema_ref: &str) -> String {
        let name = &self.name;
        let image = self.image();
        let port = self.port.unwrap_or(DEFAULT_PORT);
        let domain = conventions::repo::DOMAIN;
        let tiers = schema::choices("Tier").join(" | ");
        let storages = schema::choices("Storage").join(" | ");
        let auths = schema::choices("Auth").join(" | ");
        let intro = format!(
            "{name}: a dlgen spec. `dlgen render specs/{name}.yaml` writes stacks/{name}/ \
             (main.tf, terragrunt.hcl and the secrets -> ../../secrets link); `dlgen check` \
             fails when the stack drifts from this file. Every field is described in the \
             schema above (editors show it) and in dlgen's README."
        );
        let conventions = [
            format!(
                "The namespace, the Deployment, the Service and the `app` label are all \
                 `{name}` (`namespace.name` renames the namespace). The namespace carries the \
                 tier label and enrols the stack in Keel (`keel: false` with `keel_why` opts \
                 out), so the Deployment ignores the image and the annotations Keel and \
                 Kyverno write."
            ),
            "The Terragrunt dependency is the `platform` stack (`dependency`).".to_owned(),
            "Resources: a CPU request and no CPU limit; the memory request equals the limit."
                .to_owned(),
            "The Service listens on port 80 and forwards to the container's port (`service`)."
                .to_owned(),
            format!(
                "An env `secret: <key>` reads <key> of the ExternalSecret `{name}-secrets`, \
                 synced from Vault `secret/{name}` (`secrets.vault_key`); no plaintext values \
                 for names that look secret (`*PASS*`, `*TOKEN*`, ...)."
            ),
            format!(
                "Block storage (`proxmox-lvm-encrypted`, `proxmox-lvm`) gets the autoresizer \
                 annotations, a Recreate strategy and a backup CronJob copying it to \
                 /srv/nfs/{name}-backup on `backup.schedule` (`backup: {{enabled: false, why: \
                 ...}}` opts out); an NFS volume defaults to /srv/nfs/{name}/<volume>."
            ),
            format!(
                "The ingress (`ingress_factory`) serves the host `{name}.{domain}` \
                 (`ingress.name` changes the first label), behind Authentik (`auth: \
                 required`); `app`, `public` and `none` need `auth_why`, which becomes the \
                 comment the repo asks for above the `auth` line."
            ),
        ];
        let mut header = format!("# yaml-language-server: $schema={schema_ref}\n");
        header.push_str(&comment_block(&intro, "# ", "# "));
        header.push_str("#\n# Conventions in force, each a default that a field changes:\n");
        for convention in &conventions {
            header.push_str(&comment_block(convention, "# - ", "#   "));
        }
        format!(
            r#"{header}name: {name}
comment: |
  {name}: what it is and why the cluster runs it.
tier: aux  # {tiers}

containers:
  - image: {image}
    port: {port}  # the port the app listens on
    resources:
      cpu: 25m  # request only: no CPU limits in this repo
      memory: 256Mi  # request and limit
    # env:
    #   - name: LOG_LEVEL
    #     value: info
    #   - name: API_TOKEN
    #     secret: api_token  # a key of Vault secret/{name}

# volumes:
#   - name: data
#     storage: proxmox-lvm-encrypted  # {storages}
#     size: 1Gi
#     max_size: 10Gi  # autoresizer ceiling
#     mount: /data
#     comment: What lives on the volume and why this storage.
#
# backup:  # block storage needs one
#   schedule: "30 1 * * *"  # when the copy runs: a quiet time for the app

ingress:
  auth: required  # {auths}
"#
        )
    }
}

/// `text` as comment lines of at most [`WIDTH`] columns where the words allow: the first
/// line starts with `first`, the others with `rest`. A code span in backticks is never
/// split.
fn comment_block(text: &str, first: &str, rest: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut in_code = false;
    for word in text.split(' ') {
        match words.last_mut() {
            Some(last) if in_code => {
                last.push(' ');
                last.push_str(word);
            }
            _ => words.push(word.to_owned()),
        }
        in_code ^= word.matches('`').count() % 2 == 1;
    }
    let mut out = String::new();
    let mut line = first.to_owned();
    let mut empty = true;
    for word in words {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out.push_str(&line);
            out.push('\n');
            line = rest.to_owned();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(&word);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// The width the header comment is wrapped to.
const WIDTH: usize = 88;

/// Renders `text` (the spec at `label`, e.g. `specs/app.yaml`) in memory as `render`
/// would (the caller runs the lint gate): the proof that a new spec renders as it stands.
pub fn render_in_memory(label: &str, text: &str) -> Result<Vec<RenderedFile>, Error> {
    let renderer = Renderer::new().map_err(|e| Error::Message(format!("error: {e}")))?;
    let stack = generate::resolve(label, text)?;
    renderer
        .render(&stack, label)
        .map_err(|e| Error::Message(format!("error: {label}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_images_are_checked_before_use() {
        let spec = |name: &str, image: Option<&str>| NewSpec {
            name: name.to_owned(),
            image: image.map(str::to_owned),
            port: None,
        };
        assert!(spec("my-app", None).validate().is_ok());
        for bad in ["../x", "My_App", "", "a/b", "-x"] {
            assert!(spec(bad, None).validate().is_err(), "{bad:?}");
        }
        assert!(spec("app", Some("has space:1")).validate().is_err());
        let zero = NewSpec {
            port: Some(0),
            ..spec("app", None)
        };
        assert!(zero.validate().is_err());
    }

    #[test]
    fn comments_wrap_between_words_and_keep_code_spans_whole() {
        let text = "aaa bbb `keep these words` ccc ddd eee";
        let block = comment_block(text, "# - ", "#   ");
        for line in block.lines() {
            assert!(line.starts_with('#'), "{block}");
        }
        assert!(block.contains("`keep these words`"), "{block}");
        let long = "word ".repeat(60);
        let wrapped = comment_block(long.trim(), "# ", "# ");
        assert!(wrapped.lines().count() > 1);
        assert!(
            wrapped.lines().all(|l| l.chars().count() <= WIDTH),
            "{wrapped}"
        );
    }

    #[test]
    fn the_spec_renders_as_it_stands() {
        let spec = NewSpec {
            name: "my-app".to_owned(),
            image: Some("ghcr.io/example/my-app:1.2.3".to_owned()),
            port: Some(8080),
        };
        let text = spec.text("../docs/spec.schema.json");
        assert!(text.starts_with("# yaml-language-server: $schema=../docs/spec.schema.json\n"));
        let files = render_in_memory("specs/my-app.yaml", &text).unwrap();
        let main = &files[0].contents;
        assert!(
            main.contains("image = \"ghcr.io/example/my-app:1.2.3\""),
            "{main}"
        );
        assert!(main.contains("container_port = 8080"), "{main}");
    }
}
