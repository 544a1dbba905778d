// Validates the rendered Kubernetes manifests of every overlay (k8s/overlays/*):
//   1. every object against the Kubernetes API schemas (npm kubernetes-models,
//      ServiceMonitor with @kubernetes-models/prometheus-operator), unknown
//      fields included (a misspelt `livenesProbe` is an error, as with
//      `kubectl apply --validate=strict`);
//   2. the suite's own rules (probes, restricted security context,
//      requests/limits, PDB, NetworkPolicy, HPA, ports, the migrating init
//      container, content-hashed ConfigMaps and Secrets, external Secrets
//      documented, pinned images, cross-service targets, every alert's
//      severity, annotations and docs/RUNBOOKS.md anchor, the dashboard
//      ConfigMap; in prod-galera the MariaDB operator's Galera cluster, the
//      services' list of its nodes and its NetworkPolicy: checkGalera);
//   3. the Dockerfile (pinned bases, runtime packages, non-root user, one
//      target per service);
//   4. with --build-dir, the binaries' own defaults (`<svc> --help`) against
//      the manifests and every AFTERCARE_* setting against the known flags.
//
//   node tests/k8s/validate_manifests.mjs --source-dir DIR [--build-dir DIR]
//        --overlay dev=rendered-dev.yaml --overlay prod=rendered-prod.yaml
//        --overlay prod-galera=rendered-prod-galera.yaml [--self-test]
//
// --self-test breaks the rendered objects one way at a time and requires each
// break to be reported, so that no check passes vacuously.
// Run through tests/k8s/check_manifests.sh (which renders with kubectl kustomize).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

// ---------------------------------------------------------------------------
// The suite: ports and databases are the services' defaults
// (<svc>_spec.cc: default_grpc_port / default_metrics_port, mysql_database).
// notifies: sends e-mail over SMTP and webhooks (issue 17), so it gets the
// SMTP relay of Secret aftercare-smtp; the others get none of it.
export const SERVICES = {
  "inventory-svc": { grpc: 50051, metrics: 9101, db: "aftercare_inventory", calls: [], notifies: false },
  "case-svc": { grpc: 50052, metrics: 9102, db: "aftercare_cases", calls: ["inventory-svc"], notifies: true },
  "rma-svc": { grpc: 50053, metrics: 9103, db: "aftercare_rma", calls: ["inventory-svc"], notifies: true },
  "licensing-svc": { grpc: 50054, metrics: 9104, db: "aftercare_licensing", calls: ["rma-svc"], notifies: true },
};
// The SMTP relay's settings a notifying service reads from Secret
// aftercare-smtp (env secretKeyRef), and the key of each.
const SMTP_SECRET = "aftercare-smtp";
const SMTP_SECRET_ENV = { AFTERCARE_SMTP_URL: "url", AFTERCARE_SMTP_USERNAME: "username", AFTERCARE_SMTP_FROM: "from" };
const SMTP_PORTS = [25, 465, 587];
// Settings of the notification flags (common/service_runtime.cc,
// DefineNotificationFlags): only a notifying service has them.
const NOTIFY_SETTING = /^AFTERCARE_(SMTP_|MESSAGE_ID_DOMAIN$|WEBHOOK_|NOTIFY_)/;
// Setting that holds the target of each called service.
const TARGET_SETTING = {
  "inventory-svc": "AFTERCARE_INVENTORY_TARGET",
  "case-svc": "AFTERCARE_CASE_TARGET",
  "rma-svc": "AFTERCARE_RMA_TARGET",
  "licensing-svc": "AFTERCARE_LICENSING_TARGET",
};
// Settings the manifests already carry for flags the services will define
// (issue 7's contract with the service owners); warned about, not failed,
// while a binary does not know them yet.
const PENDING_FLAGS = new Set([]);  // every setting in the manifests is a flag of its binary
const DEFAULT_SHUTDOWN_GRACE_S = 20;

// What each overlay must be.
const OVERLAYS = {
  dev: { hpa: false, replicas: 1, secrets: "placeholders", database: true },
  // secrets "external": the operator creates every Secret the pods reference
  // (none is rendered); each is in secretsExample and in the table of
  // secretsDoc's section (the only references to objects not in the repo).
  // smtpTls: the AFTERCARE_SMTP_TLS values the overlay accepts.
  prod: { hpa: true, minReplicas: 2, secrets: "external", mtls: true, dbTls: "verify_identity",
          smtpTls: ["starttls", "tls"],
          secretsExample: "k8s/overlays/prod/secrets.yaml.example",
          secretsDoc: { file: "docs/KUBERNETES.md", section: "Secrets (prod)" } },
};
// prod on a MariaDB Galera Cluster run by the MariaDB operator
// (k8s/components/galera): prod's rules, plus checkGalera's.
// galeraSecretsExample: the Secrets the operator's objects reference
// beyond prod's (the root password).
OVERLAYS["prod-galera"] = { ...OVERLAYS.prod, galera: true,
                            galeraSecretsExample: "k8s/components/galera/secrets.yaml.example" };

// ---------------------------------------------------------------------------
function parseArgs(argv) {
  const a = { overlays: [], selfTest: false };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === "--source-dir") a.sourceDir = argv[++i];
    else if (v === "--build-dir") a.buildDir = argv[++i];
    else if (v === "--overlay") {
      const [name, file] = argv[++i].split("=");
      a.overlays.push({ name, file });
    } else if (v === "--self-test") a.selfTest = true;
    else throw new Error(`unknown argument ${v}`);
  }
  if (!a.sourceDir) throw new Error("--source-dir is required");
  a.sourceDir = path.resolve(a.sourceDir);
  if (a.buildDir) a.buildDir = path.resolve(a.buildDir);
  return a;
}

const args = parseArgs(process.argv.slice(2));
const toolingModules = path.join(args.sourceDir, "scripts/tooling/node_modules");
const requireTooling = createRequire(path.join(args.sourceDir, "scripts/tooling/package.json"));
const YAML = requireTooling("yaml");

// ---------------------------------------------------------------------------
// Schema validation.
const modelCache = new Map();
async function modelFor(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (modelCache.has(key)) return modelCache.get(key);
  let file;
  if (!/^[A-Za-z0-9]+$/.test(kind || "")) file = null;
  else if (apiVersion === "v1") file = path.join(toolingModules, "kubernetes-models/v1", `${kind}.js`);
  else if (apiVersion && apiVersion.startsWith("monitoring.coreos.com/")) {
    file = path.join(toolingModules, "@kubernetes-models/prometheus-operator", apiVersion, `${kind}.js`);
  } else if (apiVersion && apiVersion.includes("/")) {
    file = path.join(toolingModules, "kubernetes-models", apiVersion, `${kind}.js`);
  }
  let model = null;
  if (file && fs.existsSync(file)) {
    const mod = await import(pathToFileURL(file).href);
    model = mod[kind] || null;
  }
  modelCache.set(key, model);
  return model;
}

// Wraps `value` so that the validator's reads are recorded: a key of an
// object that the schema validator never looked at is not in the schema.
function tracked(root) {
  const records = new Map(); // object -> { keys:Set, enumerated:bool, path }
  const proxies = new WeakMap();
  function wrap(value, p) {
    if (value === null || typeof value !== "object") return value;
    if (proxies.has(value)) return proxies.get(value);
    const rec = { keys: new Set(), enumerated: false, path: p };
    records.set(value, rec);
    const proxy = new Proxy(value, {
      get(t, k, r) {
        const v = Reflect.get(t, k, r);
        if (typeof k !== "string") return v;
        rec.keys.add(k);
        return Object.prototype.hasOwnProperty.call(t, k) ? wrap(v, `${p}/${k}`) : v;
      },
      has(t, k) {
        if (typeof k === "string") rec.keys.add(k);
        return Reflect.has(t, k);
      },
      ownKeys(t) {
        rec.enumerated = true;
        return Reflect.ownKeys(t);
      },
      getOwnPropertyDescriptor(t, k) {
        if (typeof k === "string") rec.keys.add(k);
        return Reflect.getOwnPropertyDescriptor(t, k);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  }
  return { proxy: wrap(root, ""), records };
}

async function schemaErrors(obj) {
  if (obj.apiVersion === MARIADB_API) return operatorSchemaErrors(obj);
  const model = await modelFor(obj.apiVersion, obj.kind);
  if (!model) return [`no Kubernetes API schema for apiVersion ${obj.apiVersion} kind ${obj.kind} (unknown kind or apiVersion)`];
  const copy = JSON.parse(JSON.stringify(obj));
  // kustomize wraps long base64 values over lines; the API server (Go's
  // base64 decoder) skips the newlines, the schema's "byte" format does not.
  for (const field of ["data", "binaryData"]) {
    if ((copy.kind === "Secret" || copy.kind === "ConfigMap") && copy[field] && (copy.kind === "Secret" || field === "binaryData")) {
      for (const k of Object.keys(copy[field])) {
        if (typeof copy[field][k] === "string") copy[field][k] = copy[field][k].replace(/[\r\n]/g, "");
      }
    }
  }
  const { proxy, records } = tracked(copy);
  try {
    model.prototype.validate.call(proxy);
  } catch (e) {
    return [`schema: ${e.message}`];
  }
  const errs = [];
  for (const [value, rec] of records) {
    if (Array.isArray(value) || rec.enumerated) continue;
    for (const k of Object.keys(value)) {
      if (!rec.keys.has(k)) errs.push(`schema: unknown field ${rec.path}/${k}`);
    }
  }
  return errs;
}

// ---------------------------------------------------------------------------
// Helpers.
function labelsMatch(selector, labels) {
  if (!selector) return false;
  labels = labels || {};
  for (const [k, v] of Object.entries(selector.matchLabels || {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions || []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (e.operator === "In" && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}
const isEmptySelector = (s) =>
  !s || (Object.keys(s.matchLabels || {}).length === 0 && (s.matchExpressions || []).length === 0);

function parseDurationSeconds(s) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(String(s).trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  return { ms: n / 1000, s: n, m: n * 60, h: n * 3600 }[m[2]];
}

function podTemplate(obj) {
  switch (obj.kind) {
    case "Deployment": case "StatefulSet": case "DaemonSet": case "ReplicaSet": case "Job":
      return obj.spec?.template;
    case "CronJob":
      return obj.spec?.jobTemplate?.spec?.template;
    case "Pod":
      return { metadata: obj.metadata, spec: obj.spec };
    default:
      return null;
  }
}
const allContainers = (spec) => [...(spec?.initContainers || []), ...(spec?.containers || [])];

function imageRef(image) {
  // registry/path/name[:tag][@digest]
  const at = image.indexOf("@");
  const digest = at >= 0 ? image.slice(at + 1) : "";
  const nameTag = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = nameTag.lastIndexOf("/");
  const colon = nameTag.lastIndexOf(":");
  const tag = colon > lastSlash ? nameTag.slice(colon + 1) : "";
  const name = colon > lastSlash ? nameTag.slice(0, colon) : nameTag;
  return { name, tag, digest };
}

// kustomize's content hash of a generated ConfigMap or Secret (its name's
// -<hash> suffix; sigs.k8s.io/kustomize/api/hasher): the sha256 of Go's
// json.Marshal of {kind, name, data[, binaryData]} (ConfigMap) or {kind,
// type, name, data[, stringData]} (Secret), keys sorted; its first 10 hex
// digits with 0, 1, 3, a, e written g, h, k, m, t. The name is "" there
// (kustomize 5.5 looks up "metadata/name" as one field, which no object
// has): the hash covers the content only. A kustomize that hashes the real
// name is accepted too.
const HASHED_NAME = /^(.+)-([245-9bcdfghkmt]{10})$/;
const generatorName = (n) => HASHED_NAME.exec(n || "")?.[1] ?? n;
function goJson(v) {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return `[${v.map(goJson).join(",")}]`;
  if (typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${goJson(k)}:${goJson(v[k])}`).join(",")}}`;
  if (typeof v !== "string") return JSON.stringify(v);
  let out = '"';
  for (const ch of v) {
    const c = ch.codePointAt(0);
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || "<>&\u2028\u2029".includes(ch)) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}
function kustomizeHash(obj, name) {
  const isMap = (x) => x !== null && typeof x === "object" && !Array.isArray(x);
  const m = obj.kind === "Secret"
    ? { kind: "Secret", type: obj.type ?? "", name, data: obj.data ?? "", ...(isMap(obj.stringData) ? { stringData: obj.stringData } : {}) }
    : { kind: "ConfigMap", name, data: obj.data ?? "", ...(isMap(obj.binaryData) ? { binaryData: obj.binaryData } : {}) };
  const hex = crypto.createHash("sha256").update(goJson(m)).digest("hex");
  return hex.slice(0, 10).replace(/[013ae]/g, (c) => ({ 0: "g", 1: "h", 3: "k", a: "m", e: "t" })[c]);
}
// Why a rendered ConfigMap or Secret would not roll the pods that use it
// when its content changes ("" when it would).
function contentHashProblem(obj) {
  const name = obj.metadata?.name || "";
  const m = HASHED_NAME.exec(name);
  if (!m) return "has no content hash in its name: a change to it would not roll the pods that use it (make it a configMapGenerator/secretGenerator entry)";
  const want = kustomizeHash(obj, "");
  if (m[2] !== want && m[2] !== kustomizeHash(obj, m[1])) return `has the suffix -${m[2]}, but the hash of its content is -${want}: its name no longer follows its content`;
  return "";
}

// The names of the Secrets in the table of a doc's section (first column,
// in backquotes; <svc> stands for each service), as regular expressions.
const documentedSecretsCache = new Map();
function documentedSecrets(doc) {
  const key = `${doc.file}#${doc.section}`;
  if (documentedSecretsCache.has(key)) return documentedSecretsCache.get(key);
  const text = fs.readFileSync(path.join(args.sourceDir, doc.file), "utf8");
  const start = text.indexOf(`\n## ${doc.section}\n`);
  const section = start < 0 ? "" : text.slice(start + 1).split(/\n## /)[0];
  const svcs = Object.keys(SERVICES).join("|");
  const names = [];
  for (const line of section.split("\n")) {
    const cell = /^\|([^|]*)\|/.exec(line)?.[1] || "";
    for (const [, n] of cell.matchAll(/`([^`]+)`/g)) {
      names.push(new RegExp(`^${n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/<svc>/g, `(?:${svcs})`)}$`));
    }
  }
  documentedSecretsCache.set(key, names);
  return names;
}

function probePort(probe) {
  return probe?.grpc?.port;
}

function preStopSeconds(c) {
  const h = c.lifecycle?.preStop;
  if (!h) return null;
  if (h.sleep?.seconds != null) return Number(h.sleep.seconds);
  const cmd = h.exec?.command || [];
  if (cmd.length === 2 && /(^|\/)sleep$/.test(cmd[0]) && /^\d+$/.test(cmd[1])) return Number(cmd[1]);
  return null;
}

function networkPolicyAllowsIngress(np, fromLabels, port) {
  if (!(np.spec?.policyTypes || ["Ingress"]).includes("Ingress")) return false;
  for (const rule of np.spec?.ingress || []) {
    const portOk = !rule.ports || rule.ports.some((p) => p.port === port || p.port === undefined);
    if (!portOk) continue;
    if (!rule.from) return true;
    for (const peer of rule.from) {
      if (fromLabels === null) {
        if (peer.namespaceSelector || peer.podSelector) return true; // any allowed peer
      } else if (peer.podSelector && !peer.namespaceSelector && labelsMatch(peer.podSelector, fromLabels)) {
        return true;
      }
    }
  }
  return false;
}
function networkPolicyAllowsEgress(np, toLabels, port, protocol = "TCP") {
  if (!(np.spec?.policyTypes || []).includes("Egress")) return false;
  for (const rule of np.spec?.egress || []) {
    const portOk = !rule.ports || rule.ports.some((p) => p.port === port && (p.protocol || "TCP") === protocol);
    if (!portOk) continue;
    if (!rule.to) return true;
    for (const peer of rule.to) {
      if (toLabels === "dns") {
        if (peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "kube-system") return true;
      } else if (peer.podSelector && !peer.namespaceSelector && labelsMatch(peer.podSelector, toLabels)) {
        return true;
      }
    }
  }
  return false;
}

// ---------------------------------------------------------------------------
// The MariaDB operator's objects (k8s/components/galera). Its CRDs are not
// installed here, so their fields are checked against this list of the
// fields the operator's API (k8s.mariadb.com/v1alpha1) defines that the
// manifests may use: a misspelt field is reported, as for the API's kinds.
const MARIADB_API = "k8s.mariadb.com/v1alpha1";
const SECURITY_CONTEXT_FIELDS = ["runAsNonRoot", "runAsUser", "runAsGroup", "allowPrivilegeEscalation", "capabilities",
  "seccompProfile", "readOnlyRootFilesystem", "privileged"];
const REF_FIELDS = ["name", "namespace", "waitForIt"];
const SECRET_KEY_REF_FIELDS = ["name", "key", "generate"];
const OPERATOR_FIELDS = {
  MariaDB: {
    spec: ["image", "imagePullPolicy", "imagePullSecrets", "rootPasswordSecretKeyRef", "replicas", "galera", "storage",
      "tls", "affinity", "podDisruptionBudget", "updateStrategy", "podSecurityContext", "securityContext", "myCnf",
      "resources", "nodeSelector", "tolerations", "topologySpreadConstraints", "priorityClassName", "podMetadata",
      "inheritMetadata", "metrics", "livenessProbe", "readinessProbe", "startupProbe", "serviceAccountName", "port",
      "service", "primaryService", "secondaryService", "timeZone", "suspend", "env", "envFrom"],
    "spec.rootPasswordSecretKeyRef": SECRET_KEY_REF_FIELDS,
    "spec.galera": ["enabled", "sst", "availableWhenDesync", "galeraLibPath", "replicaThreads", "providerOptions", "agent",
      "recovery", "initContainer", "initJob", "config", "primary", "volumeClaimTemplate"],
    "spec.galera.recovery": ["enabled", "minClusterSize", "clusterMonitorInterval", "clusterHealthyTimeout",
      "clusterBootstrapTimeout", "clusterUpscaleTimeout", "clusterDownscaleTimeout", "podRecoveryTimeout",
      "podSyncTimeout", "forceClusterBootstrapInPod", "job"],
    "spec.galera.agent": ["image", "imagePullPolicy", "port", "probePort", "kubernetesAuth", "basicAuth",
      "gracefulShutdownTimeout", "securityContext", "resources", "env", "volumeMounts"],
    "spec.galera.agent.securityContext": SECURITY_CONTEXT_FIELDS,
    "spec.galera.initContainer": ["image", "imagePullPolicy", "securityContext", "resources", "env", "volumeMounts"],
    "spec.galera.initContainer.securityContext": SECURITY_CONTEXT_FIELDS,
    "spec.storage": ["size", "storageClassName", "resizeInUseVolumes", "waitForVolumeResize", "volumeClaimTemplate", "ephemeral"],
    "spec.tls": ["enabled", "required", "serverCASecretRef", "serverCertSecretRef", "clientCASecretRef",
      "clientCertSecretRef", "serverCertIssuerRef", "clientCertIssuerRef", "galeraSSTEnabled",
      "galeraServerSSLMode", "galeraClientSSLMode"],
    "spec.affinity": ["antiAffinityEnabled", "podAntiAffinity", "nodeAffinity", "podAffinity"],
    "spec.podDisruptionBudget": ["maxUnavailable", "minAvailable"],
    "spec.updateStrategy": ["type", "autoUpdateDataPlane", "rollingUpdate"],
    "spec.podSecurityContext": ["runAsNonRoot", "runAsUser", "runAsGroup", "fsGroup", "fsGroupChangePolicy", "seccompProfile", "supplementalGroups"],
    "spec.securityContext": SECURITY_CONTEXT_FIELDS,
  },
  Database: { spec: ["mariaDbRef", "name", "characterSet", "collate", "requeueInterval", "retryInterval", "cleanupPolicy"],
    "spec.mariaDbRef": REF_FIELDS },
  User: { spec: ["mariaDbRef", "name", "host", "passwordSecretKeyRef", "passwordHashSecretKeyRef", "passwordPlugin",
    "maxUserConnections", "require", "requeueInterval", "retryInterval", "cleanupPolicy"],
    "spec.mariaDbRef": REF_FIELDS, "spec.passwordSecretKeyRef": SECRET_KEY_REF_FIELDS },
  Grant: { spec: ["mariaDbRef", "privileges", "database", "table", "username", "host", "grantOption", "requeueInterval",
    "retryInterval", "cleanupPolicy"], "spec.mariaDbRef": REF_FIELDS },
};
const OPERATOR_TYPES = {
  MariaDB: { "spec.replicas": "integer", "spec.galera.enabled": "boolean", "spec.storage.size": "string",
    "spec.tls.enabled": "boolean", "spec.tls.required": "boolean", "spec.affinity.antiAffinityEnabled": "boolean",
    "spec.myCnf": "string", "spec.image": "string" },
  Database: { "spec.name": "string", "spec.mariaDbRef.name": "string" },
  User: { "spec.name": "string", "spec.maxUserConnections": "integer", "spec.host": "string", "spec.mariaDbRef.name": "string" },
  Grant: { "spec.privileges": "array", "spec.database": "string", "spec.table": "string", "spec.username": "string",
    "spec.mariaDbRef.name": "string" },
};
const getPath = (obj, p) => p.split(".").reduce((x, k) => (x == null ? undefined : x[k]), obj);
function operatorSchemaErrors(obj) {
  const fields = OPERATOR_FIELDS[obj.kind];
  if (!fields) return [`no schema for ${MARIADB_API} kind ${obj.kind} (OPERATOR_FIELDS in tests/k8s/validate_manifests.mjs)`];
  const errs = [];
  for (const k of Object.keys(obj)) if (!["apiVersion", "kind", "metadata", "spec"].includes(k)) errs.push(`schema: unknown field /${k}`);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(obj.metadata?.name || "")) errs.push(`schema: metadata.name "${obj.metadata?.name}" is not a DNS-1123 name`);
  for (const [p, allowed] of Object.entries(fields)) {
    const v = getPath(obj, p);
    if (v === undefined) continue;
    if (v === null || typeof v !== "object" || Array.isArray(v)) { errs.push(`schema: /${p.replace(/\./g, "/")} must be an object`); continue; }
    for (const k of Object.keys(v)) if (!allowed.includes(k)) errs.push(`schema: unknown field /${p.replace(/\./g, "/")}/${k}`);
  }
  for (const [p, type] of Object.entries(OPERATOR_TYPES[obj.kind] || {})) {
    const v = getPath(obj, p);
    if (v === undefined) continue;
    const ok = type === "integer" ? Number.isInteger(v) : type === "array" ? Array.isArray(v) : typeof v === type;
    if (!ok) errs.push(`schema: /${p.replace(/\./g, "/")} must be ${type}`);
  }
  return errs;
}

// A Galera cluster's ports between its nodes: group communication and
// replication (gcomm, TCP and UDP), incremental and full state transfer.
const GALERA_PORTS = [[4567, "TCP"], [4567, "UDP"], [4568, "TCP"], [4444, "TCP"]];
// The MariaDB operator reaches the nodes for SQL and their agent sidecar.
const OPERATOR_PORTS = [3306, 5555];
// The agent's TokenReview calls to the Kubernetes API server.
const API_SERVER_PORTS = [443, 6443];
// The operator labels a MariaDB's pods with these.
const mariadbPodLabels = (name) => ({ "app.kubernetes.io/name": "mariadb", "app.kubernetes.io/instance": name });
const portsOf = (rule) => (rule.ports || []).map((p) => [p.port, p.protocol || "TCP"]);

// The Galera variant of prod: one MariaDB of the operator with Galera on
// three nodes, each service's database, user and grant, the services
// pointed at the three nodes (and failing over between them), the nodes'
// NetworkPolicy and PodDisruptionBudget.
function checkGalera(objects, err, req, { find, byKind, nps, ns }) {
  const mdbs = byKind("MariaDB");
  if (mdbs.length !== 1) { err(null, `expected one MariaDB (${MARIADB_API}, k8s/components/galera), found ${mdbs.length}`); return; }
  const m = mdbs[0];
  const s = m.spec || {};
  const name = m.metadata.name;
  if (m.apiVersion !== MARIADB_API) err(m, `apiVersion ${m.apiVersion}, expected ${MARIADB_API}`);
  if (s.replicas !== 3) err(m, `spec.replicas is ${s.replicas}, expected 3 Galera nodes (two keep the quorum when one is lost)`);
  if (s.galera?.enabled !== true) err(m, "spec.galera.enabled must be true (a Galera cluster, not one server or replication)");
  if (!s.storage?.size && !s.storage?.volumeClaimTemplate) err(m, "spec.storage.size is missing: each node needs a PersistentVolumeClaim");
  if (s.storage?.ephemeral) err(m, "spec.storage.ephemeral: a node would lose its data on restart");
  const podLabels = mariadbPodLabels(name);
  const pdb = byKind("PodDisruptionBudget").find((p) => labelsMatch(p.spec?.selector, podLabels));
  if (!s.podDisruptionBudget && !pdb) err(m, "no PodDisruptionBudget for the Galera nodes (spec.podDisruptionBudget, or one selecting its pods)");
  else {
    const b = s.podDisruptionBudget || pdb.spec;
    if (b.maxUnavailable !== 1) err(m, `PodDisruptionBudget maxUnavailable is ${b.maxUnavailable}, expected 1 (a drain must leave two nodes: the quorum)`);
  }
  const antiAffinity = s.affinity?.antiAffinityEnabled === true ||
    (s.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution || []).some((t) => t.topologyKey === "kubernetes.io/hostname");
  if (!antiAffinity) err(m, "spec.affinity.antiAffinityEnabled must be true: two Galera nodes on one Kubernetes node would be lost together");
  if (s.tls?.enabled === false || s.tls?.required !== true) {
    err(m, "spec.tls.enabled and spec.tls.required must be true: the services connect with TLS and verify the nodes' identity");
  }
  const img = imageRef(s.image || "");
  if (!s.image) err(m, "spec.image is not set: pin the MariaDB image (the operator's default changes with its releases)");
  else if (img.tag === "latest" || (!img.tag && !img.digest)) err(m, `spec.image ${s.image} is not pinned`);
  // The namespace enforces the restricted Pod Security Standard: the
  // operator copies these into the pods' containers.
  const psc = s.podSecurityContext || {};
  if (psc.runAsUser === 0) err(m, "spec.podSecurityContext.runAsUser must not be 0");
  for (const [where, sc] of [["spec.securityContext", s.securityContext], ["spec.galera.agent.securityContext", s.galera?.agent?.securityContext],
    ["spec.galera.initContainer.securityContext", s.galera?.initContainer?.securityContext]]) {
    if (!sc) { err(m, `${where} is missing: the namespace enforces the restricted Pod Security Standard`); continue; }
    if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) err(m, `${where}: runAsNonRoot must be true (restricted profile)`);
    if (sc.allowPrivilegeEscalation !== false) err(m, `${where}: allowPrivilegeEscalation must be false`);
    if (!(sc.capabilities?.drop || []).includes("ALL")) err(m, `${where}: capabilities.drop must include ALL`);
    if (!["RuntimeDefault", "Localhost"].includes(sc.seccompProfile?.type ?? psc.seccompProfile?.type)) err(m, `${where}: seccompProfile must be RuntimeDefault`);
  }

  // The root password's Secret: created by the operator of the cluster
  // before the first apply, so described in the example.
  const root = s.rootPasswordSecretKeyRef;
  if (!root?.name || root.generate) err(m, "spec.rootPasswordSecretKeyRef must name a Secret you create (generate: false)");
  else {
    let ex = null;
    try {
      ex = YAML.parseAllDocuments(fs.readFileSync(path.join(args.sourceDir, req.galeraSecretsExample), "utf8")).map((d) => d.toJSON())
        .find((x) => x?.kind === "Secret" && x.metadata?.name === root.name);
    } catch (e) {
      err(null, `cannot read ${req.galeraSecretsExample}: ${e.message}`);
    }
    if (!ex || !Object.keys({ ...(ex.data || {}), ...(ex.stringData || {}) }).includes(root.key)) {
      err(m, `Secret ${root.name} key ${root.key} (the root password) is not described in ${req.galeraSecretsExample}`);
    }
  }

  // Each service: its Database, User and Grant; the three nodes as its hosts.
  const onIt = (o) => o.spec?.mariaDbRef?.name === name && (!o.spec.mariaDbRef.namespace || o.spec.mariaDbRef.namespace === ns);
  const exampleUsers = new Map();
  try {
    for (const d of YAML.parseAllDocuments(fs.readFileSync(path.join(args.sourceDir, req.secretsExample), "utf8"))) {
      const x = d.toJSON();
      if (x?.kind === "Secret" && x.stringData?.username) exampleUsers.set(x.metadata.name, x.stringData.username);
    }
  } catch (e) {
    err(null, `cannot read ${req.secretsExample}: ${e.message}`);
  }
  const podHost = new RegExp(`^${name}-(\\d+)\\.${name}-internal(?:\\.${ns}(?:\\.svc(?:\\.cluster\\.local)?)?)?$`);
  for (const [svc, want] of Object.entries(SERVICES)) {
    const d = find("Deployment", svc);
    const c = d?.spec?.template?.spec?.containers?.[0];
    if (!c) continue;  // reported by checkOverlay
    const labels = d.spec.template.metadata?.labels || {};
    if (!byKind("Database").some((x) => onIt(x) && (x.spec?.name ?? x.metadata.name) === want.db)) {
      err(null, `no Database ${want.db} on MariaDB ${name}: ${svc}'s database`);
    }
    const userRef = (c.env || []).find((e) => e.name === "AFTERCARE_MYSQL_USER")?.valueFrom?.secretKeyRef;
    const user = userRef && byKind("User").find((u) => onIt(u) && u.spec?.passwordSecretKeyRef?.name === userRef.name);
    if (!user) err(d, `no User on MariaDB ${name} with the password of Secret ${userRef?.name} (where ${svc} reads its database user)`);
    else {
      const uname = user.spec.name ?? user.metadata.name;
      if (user.spec.passwordSecretKeyRef.key !== "password") err(user, `password from key ${user.spec.passwordSecretKeyRef.key}, ${svc} reads key password`);
      const exUser = exampleUsers.get(userRef.name);
      if (exUser !== undefined && exUser !== uname) err(user, `creates user ${uname}, but ${svc} logs in as ${exUser} (Secret ${userRef.name} in ${req.secretsExample})`);
      const grants = byKind("Grant").filter((g) => onIt(g) && g.spec?.username === uname && (g.spec?.host ?? "%") === (user.spec.host ?? "%"));
      const own = grants.find((g) => g.spec.database === want.db && (g.spec.table ?? "*") === "*");
      if (!own) err(user, `no Grant to ${uname} on database ${want.db}`);
      else if (!(own.spec.privileges || []).some((p) => /^ALL( PRIVILEGES)?$/i.test(p))) err(own, `${uname} needs ALL PRIVILEGES on ${want.db} (its init container migrates the schema)`);
      for (const g of grants) if (g.spec.database !== want.db) err(g, `grants ${uname} access to ${g.spec.database}: each service reaches its own database only`);
      const hpa = byKind("HorizontalPodAutoscaler").find((h) => h.spec?.scaleTargetRef?.name === svc);
      const cmName = (c.envFrom || []).map((e) => e.configMapRef?.name).find(Boolean);
      const pool = Number(find("ConfigMap", cmName)?.data?.AFTERCARE_DB_POOL_SIZE ?? 8);
      const needed = (hpa?.spec?.maxReplicas ?? d.spec.replicas ?? 1) * (pool + 2);
      if ((user.spec.maxUserConnections ?? 10) < needed) err(user, `maxUserConnections ${user.spec.maxUserConnections ?? 10} < ${needed} (maxReplicas x (db_pool_size + 2))`);
    }

    // The hosts: the three nodes, by pod name; nothing in env overrides them.
    const cmName = (c.envFrom || []).map((e) => e.configMapRef?.name).find(Boolean);
    const cm = find("ConfigMap", cmName);
    for (const e of c.env || []) {
      if (["AFTERCARE_MYSQL_HOST", "AFTERCARE_MYSQL_PORT", "AFTERCARE_MYSQL_SOCKET"].includes(e.name)) {
        err(d, `${e.name} is set in env${e.valueFrom?.secretKeyRef ? ` from Secret ${e.valueFrom.secretKeyRef.name}` : ""}, which overrides the ConfigMap's Galera nodes`);
      }
    }
    const list = String(cm?.data?.AFTERCARE_MYSQL_HOST ?? "");
    const defaultPort = Number(cm?.data?.AFTERCARE_MYSQL_PORT ?? 3306);
    const pods = new Set();
    for (const entry of list.split(",").map((x) => x.trim())) {
      const mm = /^([^:]+)(?::(\d+))?$/.exec(entry);
      const host = mm && podHost.exec(mm[1]);
      if (!host || Number(host[1]) >= s.replicas) { err(cm, `AFTERCARE_MYSQL_HOST entry "${entry}" is not a Galera node of MariaDB ${name} (${name}-<0..${(s.replicas ?? 3) - 1}>.${name}-internal:3306)`); continue; }
      if (Number(mm[2] ?? defaultPort) !== 3306) err(cm, `AFTERCARE_MYSQL_HOST entry "${entry}": the nodes serve MySQL on 3306`);
      pods.add(Number(host[1]));
    }
    if (pods.size !== 3) err(cm, `AFTERCARE_MYSQL_HOST lists ${pods.size} distinct Galera nodes (${list}), expected the 3 (${svc} fails over between them)`);
    // The CA that verifies the nodes: the operator's bundle.
    const caFile = cm?.data?.AFTERCARE_MYSQL_TLS_CA_FILE;
    const mount = caFile && (c.volumeMounts || []).find((vm) => caFile.startsWith(vm.mountPath.replace(/\/?$/, "/")));
    const vol = mount && (d.spec.template.spec.volumes || []).find((v) => v.name === mount.name);
    if (vol?.secret?.secretName !== `${name}-ca-bundle`) {
      err(d, `AFTERCARE_MYSQL_TLS_CA_FILE is not from Secret ${name}-ca-bundle (the operator's CA bundle; got ${vol?.secret?.secretName ?? vol?.configMap?.name ?? "no volume"})`);
    }
    // MySQL egress only to the Galera nodes.
    for (const np of nps.filter((x) => !isEmptySelector(x.spec?.podSelector) && labelsMatch(x.spec.podSelector, labels))) {
      for (const r of np.spec?.egress || []) {
        if (!(r.ports || []).some((p) => p.port === 3306)) continue;
        if (!r.to || !r.to.every((t) => t.podSelector && !t.namespaceSelector && labelsMatch(t.podSelector, podLabels))) {
          err(np, `egress on 3306 goes beyond the Galera pods (the database is in the namespace)`);
        }
      }
    }
  }

  // The nodes' NetworkPolicy: MySQL from the services and the operator,
  // Galera between the nodes, the operator's agent; nothing else.
  const gnps = nps.filter((np) => !isEmptySelector(np.spec?.podSelector) && labelsMatch(np.spec.podSelector, podLabels));
  if (!gnps.length) { err(m, "no NetworkPolicy of its own selects the Galera pods"); return; }
  const isGaleraPeer = (peer) => peer.podSelector && !peer.namespaceSelector && labelsMatch(peer.podSelector, podLabels);
  const isServicePeer = (peer) => peer.podSelector && !peer.namespaceSelector && !isGaleraPeer(peer) &&
    Object.keys(SERVICES).some((svc) => labelsMatch(peer.podSelector, find("Deployment", svc)?.spec?.template?.metadata?.labels));
  const has = (ports, port, proto) => ports.some(([p, pr]) => p === port && pr === proto);
  const allowsIn = (pred, port, proto) => gnps.some((np) => (np.spec?.ingress || []).some((r) => has(portsOf(r), port, proto) && (r.from || []).some(pred)));
  const allowsOut = (pred, port, proto) => gnps.some((np) => (np.spec?.egress || []).some((r) => has(portsOf(r), port, proto) && (r.to || []).some(pred)));
  for (const svc of Object.keys(SERVICES)) {
    const l = find("Deployment", svc)?.spec?.template?.metadata?.labels;
    if (l && !allowsIn((p) => p.podSelector && !p.namespaceSelector && labelsMatch(p.podSelector, l), 3306, "TCP")) {
      err(m, `no NetworkPolicy lets ${svc} reach the Galera pods on 3306`);
    }
  }
  for (const [port, proto] of GALERA_PORTS) {
    if (!allowsIn(isGaleraPeer, port, proto)) err(m, `no NetworkPolicy lets the Galera pods reach each other on ${port}/${proto} (ingress)`);
    if (!allowsOut(isGaleraPeer, port, proto)) err(m, `no NetworkPolicy lets the Galera pods reach each other on ${port}/${proto} (egress)`);
  }
  for (const np of gnps) {
    if (!(np.spec?.policyTypes || []).includes("Egress")) err(np, "policyTypes must include Egress");
    for (const r of np.spec?.ingress || []) {
      const ports = portsOf(r);
      if (!r.from || !r.from.length || !ports.length) { err(np, "an ingress rule without from or ports lets anything reach the Galera pods"); continue; }
      for (const peer of r.from) {
        const allowed = isGaleraPeer(peer) ? GALERA_PORTS
          : isServicePeer(peer) ? [[3306, "TCP"]]
          : peer.namespaceSelector && !isEmptySelector(peer.namespaceSelector) && peer.podSelector && !isEmptySelector(peer.podSelector) ? OPERATOR_PORTS.map((p) => [p, "TCP"])
          : [];
        for (const [p, pr] of ports) {
          if (!has(allowed, p, pr)) err(np, `ingress ${p}/${pr} from ${JSON.stringify(peer)}: the Galera pods take MySQL from the services and the operator, Galera from each other, nothing else`);
        }
      }
    }
    for (const r of np.spec?.egress || []) {
      const ports = portsOf(r);
      if (!ports.length) { err(np, "an egress rule without ports lets the Galera pods reach anything"); continue; }
      for (const [p, pr] of ports) {
        const ok = !r.to ? API_SERVER_PORTS.includes(p) && pr === "TCP"
          : r.to.every((t) => (isGaleraPeer(t) && has(GALERA_PORTS, p, pr)) ||
              (p === 53 && t.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "kube-system"));
        if (!ok) err(np, `egress ${p}/${pr}${r.to ? ` to ${JSON.stringify(r.to)}` : ""}: the Galera pods reach DNS, each other and the API server only`);
      }
    }
  }
}

// ---------------------------------------------------------------------------
// The suite's rules over one rendered overlay. Returns a list of problems.
async function checkOverlay(name, objects, opts = {}) {
  const req = OVERLAYS[name];
  const errs = [];
  const err = (obj, msg) => errs.push(`[${name}] ${obj ? `${obj.kind}/${obj.metadata?.name}: ` : ""}${msg}`);
  if (!req) {
    err(null, `unknown overlay "${name}": add its requirements to OVERLAYS in tests/k8s/validate_manifests.mjs`);
    return errs;
  }
  if (objects.length === 0) err(null, "renders no objects");

  const byKind = (k) => objects.filter((o) => o.kind === k);
  const find = (k, n) => objects.find((o) => o.kind === k && o.metadata?.name === n);
  // By the name in the repo: a generated object's rendered name has -<hash>.
  const named = (k, n) => objects.find((o) => o.kind === k && generatorName(o.metadata?.name) === n);
  // Database TLS of one container that connects (a replica or a migration
  // Job): the mode the overlay requires, and every file it names mounted.
  const checkDbTls = (obj, c, settings, cm) => {
    const mode = settings.AFTERCARE_MYSQL_TLS_MODE ?? "disabled";
    if (req.dbTls && mode !== req.dbTls) {
      err(cm, `AFTERCARE_MYSQL_TLS_MODE is ${mode}, overlay ${name} requires ${req.dbTls} (TLS to the database with the server's identity verified)`);
    }
    if (["verify_ca", "verify_identity"].includes(req.dbTls) && !settings.AFTERCARE_MYSQL_TLS_CA_FILE) {
      err(cm, `AFTERCARE_MYSQL_TLS_CA_FILE must be set: overlay ${name} verifies the database's certificate against its CA`);
    }
    for (const k of ["AFTERCARE_MYSQL_TLS_CA_FILE", "AFTERCARE_MYSQL_TLS_CERT_FILE", "AFTERCARE_MYSQL_TLS_KEY_FILE"]) {
      const f = settings[k];
      if (f && !(c.volumeMounts || []).some((m) => f.startsWith(m.mountPath.replace(/\/?$/, "/")))) {
        err(obj, `container ${c.name}: ${k}=${f} is not under any volume mount`);
      }
    }
  };

  // 1. Schemas.
  if (!opts.skipSchemas) {
    for (const o of objects) {
      for (const e of await schemaErrors(o)) err(o, e);
    }
  }

  // Namespace: everything namespaced lands in one namespace.
  const namespaces = new Set(objects.filter((o) => o.kind !== "Namespace").map((o) => o.metadata?.namespace));
  if (namespaces.size !== 1 || namespaces.has(undefined)) {
    err(null, `every object must be in the overlay's namespace; found ${[...namespaces].join(", ")}`);
  }
  const ns = [...namespaces][0];

  // 2. Every workload: restricted security context, resources, pinned images.
  for (const o of objects) {
    const tpl = podTemplate(o);
    if (!tpl) continue;
    const spec = tpl.spec || {};
    const psc = spec.securityContext || {};
    if (spec.hostNetwork || spec.hostPID || spec.hostIPC) err(o, "uses the host's network/PID/IPC namespace");
    const tmpVolumes = new Set((spec.volumes || []).filter((v) => v.emptyDir).map((v) => v.name));
    for (const c of allContainers(spec)) {
      const sc = c.securityContext || {};
      const where = `container ${c.name}`;
      if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) err(o, `${where}: runAsNonRoot must be true (restricted profile)`);
      if ((sc.runAsUser ?? psc.runAsUser) === 0) err(o, `${where}: runAsUser must not be 0`);
      if (sc.allowPrivilegeEscalation !== false) err(o, `${where}: allowPrivilegeEscalation must be false`);
      if (sc.privileged) err(o, `${where}: must not be privileged`);
      if (!(sc.capabilities?.drop || []).includes("ALL")) err(o, `${where}: capabilities.drop must include ALL`);
      const added = (sc.capabilities?.add || []).filter((x) => x !== "NET_BIND_SERVICE");
      if (added.length) err(o, `${where}: adds capabilities ${added.join(",")}`);
      const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
      if (!["RuntimeDefault", "Localhost"].includes(seccomp)) err(o, `${where}: seccompProfile must be RuntimeDefault (got ${seccomp})`);
      if (sc.readOnlyRootFilesystem !== true) err(o, `${where}: readOnlyRootFilesystem must be true`);
      const tmp = (c.volumeMounts || []).find((m) => m.mountPath === "/tmp");
      if (!tmp || !tmpVolumes.has(tmp.name)) err(o, `${where}: needs an emptyDir mounted at /tmp (read-only root filesystem)`);
      for (const kind of ["requests", "limits"]) {
        for (const r of ["cpu", "memory"]) {
          if (c.resources?.[kind]?.[r] == null) err(o, `${where}: resources.${kind}.${r} is missing`);
        }
      }
      const img = imageRef(c.image || "");
      if (!c.image) err(o, `${where}: no image`);
      else if (img.tag === "latest") err(o, `${where}: image ${c.image} uses the "latest" tag; pin a version or a digest`);
      else if (!img.tag && !img.digest) err(o, `${where}: image ${c.image} is not pinned (no tag, no digest)`);
      if (["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind) && !(spec.initContainers || []).includes(c)) {
        for (const p of ["startupProbe", "readinessProbe", "livenessProbe"]) {
          if (!c[p]) err(o, `${where}: ${p} is missing`);
        }
      }
    }
  }

  // 3. NetworkPolicy: deny by default.
  const nps = byKind("NetworkPolicy");
  const denyAll = nps.find((np) => isEmptySelector(np.spec?.podSelector) &&
    ["Ingress", "Egress"].every((t) => (np.spec?.policyTypes || []).includes(t)) &&
    !(np.spec?.ingress || []).length && !(np.spec?.egress || []).length);
  if (!denyAll) err(null, "no default-deny NetworkPolicy (empty podSelector, policyTypes Ingress and Egress, no rules)");

  // Every Deployment: a PDB and a NetworkPolicy of its own.
  for (const d of byKind("Deployment")) {
    const labels = d.spec?.template?.metadata?.labels || {};
    if (!labelsMatch(d.spec?.selector, labels)) err(d, "spec.selector does not match its pod template's labels");
    if (!byKind("PodDisruptionBudget").some((p) => labelsMatch(p.spec?.selector, labels))) {
      err(d, "no PodDisruptionBudget selects its pods");
    }
    if (!nps.some((np) => !isEmptySelector(np.spec?.podSelector) && labelsMatch(np.spec.podSelector, labels))) {
      err(d, "no NetworkPolicy of its own selects its pods (only the default deny would apply)");
    }
  }

  // 4. The four services.
  const callersOf = (svc) => Object.keys(SERVICES).filter((s) => SERVICES[s].calls.includes(svc));
  for (const [svc, want] of Object.entries(SERVICES)) {
    const d = find("Deployment", svc);
    if (!d) { err(null, `Deployment ${svc} is missing`); continue; }
    const tpl = d.spec.template;
    const labels = tpl.metadata?.labels || {};
    const spec = tpl.spec;
    const c = (spec.containers || []).find((x) => x.name === svc) || spec.containers?.[0];
    if (!c) { err(d, "has no container"); continue; }
    if (!imageRef(c.image || "").name.endsWith(`/${svc}`)) err(d, `image ${c.image} is not an ${svc} image`);

    // ConfigMap with the settings.
    const cmName = (c.envFrom || []).map((e) => e.configMapRef?.name).find(Boolean);
    const cm = cmName && find("ConfigMap", cmName);
    if (!cm) { err(d, `container ${c.name} takes no settings from a ConfigMap (envFrom configMapRef)`); continue; }
    const settings = { ...(cm.data || {}) };
    for (const e of c.env || []) if (e.value !== undefined) settings[e.name] = e.value;
    const setting = (k) => settings[k];

    // Ports: the service's defaults, in the container, the ConfigMap, the Services.
    const cport = (n) => (c.ports || []).find((p) => p.name === n)?.containerPort;
    if (cport("grpc") !== want.grpc) err(d, `container port "grpc" is ${cport("grpc")}, ${svc} serves gRPC on ${want.grpc}`);
    if (cport("metrics") !== want.metrics) err(d, `container port "metrics" is ${cport("metrics")}, ${svc} serves metrics on ${want.metrics}`);
    if (String(setting("AFTERCARE_GRPC_PORT") ?? want.grpc) !== String(want.grpc)) {
      err(cm, `AFTERCARE_GRPC_PORT is ${setting("AFTERCARE_GRPC_PORT")}, the manifests expect ${want.grpc}`);
    }
    if (String(setting("AFTERCARE_METRICS_PORT") ?? want.metrics) !== String(want.metrics)) {
      err(cm, `AFTERCARE_METRICS_PORT is ${setting("AFTERCARE_METRICS_PORT")}, the manifests expect ${want.metrics}`);
    }
    if (setting("AFTERCARE_MYSQL_DATABASE") !== want.db) {
      err(cm, `AFTERCARE_MYSQL_DATABASE is ${setting("AFTERCARE_MYSQL_DATABASE")}, ${svc}'s database is ${want.db}`);
    }
    if (String(setting("AFTERCARE_MIGRATE")) !== "false" && !(c.args || []).includes("--migrate=false")) {
      err(d, "replicas must run with migrate=false (AFTERCARE_MIGRATE: \"false\"): their init container migrates");
    }

    // Probes: native gRPC on the health names; on the plaintext health
    // port when the gRPC port has TLS (the kubelet cannot do TLS).
    const tls = !!setting("AFTERCARE_TLS_CERT_FILE");
    let probeTo = want.grpc;
    if (tls) {
      const hp = Number(setting("AFTERCARE_HEALTH_PORT"));
      if (!hp) err(cm, "TLS is on but AFTERCARE_HEALTH_PORT is not set: the kubelet's gRPC probes cannot do TLS");
      else if (cport("health") !== hp) err(d, `container port "health" is ${cport("health")}, AFTERCARE_HEALTH_PORT is ${hp}`);
      probeTo = hp;
    }
    for (const [p, service] of [["readinessProbe", "readiness"], ["livenessProbe", "liveness"], ["startupProbe", null]]) {
      const probe = c[p];
      if (!probe) continue; // reported above
      if (!probe.grpc) { err(d, `${p} must be a native gRPC probe (grpc:)`); continue; }
      if (probePort(probe) !== probeTo) {
        err(d, `${p} probes port ${probePort(probe)}, expected ${probeTo}${tls ? " (the plaintext health port: TLS is on)" : " (the gRPC port)"}`);
      }
      if (service && probe.grpc.service !== service) err(d, `${p} must check health name "${service}", not "${probe.grpc.service ?? ""}"`);
    }
    checkDbTls(d, c, settings, cm);
    if (tls && !setting("AFTERCARE_TLS_CA_FILE")) err(cm, "TLS without AFTERCARE_TLS_CA_FILE: mTLS needs the CA");
    if (req.mtls) {
      for (const k of ["AFTERCARE_TLS_CERT_FILE", "AFTERCARE_TLS_KEY_FILE", "AFTERCARE_TLS_CA_FILE"]) {
        const f = setting(k);
        if (!f) { err(cm, `${k} must be set: this overlay requires mTLS between the services`); continue; }
        if (!(c.volumeMounts || []).some((m) => f.startsWith(m.mountPath.replace(/\/?$/, "/")))) {
          err(d, `${k}=${f} is not under any volume mount`);
        }
      }
    }

    // Drain: preStop pause + shutdown_grace < terminationGracePeriodSeconds.
    const pre = preStopSeconds(c);
    if (pre == null) err(d, "needs a preStop pause (exec sleep N or the sleep action) so endpoints drop the pod before SIGTERM");
    const grace = parseDurationSeconds(setting("AFTERCARE_SHUTDOWN_GRACE") ?? `${DEFAULT_SHUTDOWN_GRACE_S}s`);
    const tgps = spec.terminationGracePeriodSeconds ?? 30;
    if (!(tgps > (pre || 0) + grace)) {
      err(d, `terminationGracePeriodSeconds ${tgps} must exceed preStop ${pre}s + shutdown_grace ${grace}s`);
    }

    // Topology spread over nodes.
    if (!(spec.topologySpreadConstraints || []).some((t) => t.topologyKey === "kubernetes.io/hostname" && labelsMatch(t.labelSelector, labels))) {
      err(d, "needs a topologySpreadConstraint over kubernetes.io/hostname selecting its pods");
    }

    // Services.
    const s = find("Service", svc);
    if (!s) err(null, `Service ${svc} is missing`);
    else {
      if (!labelsMatch(s.spec?.selector && { matchLabels: s.spec.selector }, labels)) err(s, `does not select ${svc}'s pods`);
      for (const [pn, pv] of [["grpc", want.grpc], ["metrics", want.metrics]]) {
        const sp = (s.spec.ports || []).find((p) => p.name === pn);
        if (!sp) err(s, `no port named "${pn}"`);
        else {
          if (sp.port !== pv) err(s, `port "${pn}" is ${sp.port}, expected ${pv}`);
          if (sp.targetPort !== pn && sp.targetPort !== pv) err(s, `port "${pn}" targets ${sp.targetPort}, expected ${pn}`);
        }
      }
    }
    const h = find("Service", `${svc}-headless`);
    if (!h) err(null, `headless Service ${svc}-headless is missing (client-side round robin)`);
    else {
      if (h.spec?.clusterIP !== "None") err(h, "must be headless (clusterIP: None)");
      if (!labelsMatch(h.spec?.selector && { matchLabels: h.spec.selector }, labels)) err(h, `does not select ${svc}'s pods`);
      const hp = (h.spec.ports || []).find((p) => p.name === "grpc");
      if (!hp || hp.port !== want.grpc) err(h, `port "grpc" must be ${want.grpc}`);
    }
    const sm = find("ServiceMonitor", svc);
    if (!sm) err(null, `ServiceMonitor ${svc} is missing`);
    else {
      if (!s || !labelsMatch(sm.spec?.selector, s.metadata?.labels)) err(sm, `does not select Service ${svc}`);
      if (!(sm.spec?.endpoints || []).some((e) => e.port === "metrics")) err(sm, 'no endpoint on port "metrics"');
    }

    // ServiceAccount.
    const saName = spec.serviceAccountName;
    if (!saName || !find("ServiceAccount", saName)) err(d, `ServiceAccount ${saName} is missing`);

    // NetworkPolicy: callers, scraper, DNS, MySQL, called services.
    const own = nps.filter((np) => !isEmptySelector(np.spec?.podSelector) && labelsMatch(np.spec.podSelector, labels));
    const anyNp = (f) => own.some(f);
    if (own.length) {
      for (const caller of callersOf(svc)) {
        const callerLabels = find("Deployment", caller)?.spec?.template?.metadata?.labels;
        if (callerLabels && !anyNp((np) => networkPolicyAllowsIngress(np, callerLabels, want.grpc))) {
          err(d, `no NetworkPolicy lets its caller ${caller} reach gRPC port ${want.grpc}`);
        }
      }
      if (!anyNp((np) => networkPolicyAllowsIngress(np, null, want.metrics))) err(d, `no NetworkPolicy lets the metrics scraper reach port ${want.metrics}`);
      if (!anyNp((np) => networkPolicyAllowsEgress(np, "dns", 53, "UDP"))) err(d, "no NetworkPolicy allows DNS egress (UDP 53 to kube-system)");
      if (!anyNp((np) => (np.spec?.egress || []).some((r) => (r.ports || []).some((p) => p.port === 3306)))) {
        err(d, "no NetworkPolicy allows MySQL egress (TCP 3306)");
      }
      for (const callee of want.calls) {
        const calleeLabels = find("Deployment", callee)?.spec?.template?.metadata?.labels;
        if (calleeLabels && !anyNp((np) => networkPolicyAllowsEgress(np, calleeLabels, SERVICES[callee].grpc))) {
          err(d, `no NetworkPolicy lets it call ${callee} on port ${SERVICES[callee].grpc}`);
        }
      }
    }

    // Cross-service targets: the headless Service, the namespace, the port.
    for (const callee of want.calls) {
      const k = TARGET_SETTING[callee];
      const expected = `dns:///${callee}-headless.${ns}.svc.cluster.local:${SERVICES[callee].grpc}`;
      if (setting(k) !== expected) err(cm, `${k} is ${setting(k)}, expected ${expected}`);
    }

    // E-mail: a notifying service gets the SMTP relay from Secret
    // aftercare-smtp (URL, user, From as env; the password as a mounted
    // file), TLS to it, and egress to the SMTP ports; the others none of it.
    const secretEnv = (n) => (c.env || []).find((e) => e.name === n)?.valueFrom?.secretKeyRef;
    if (want.notifies) {
      for (const [k, key] of Object.entries(SMTP_SECRET_ENV)) {
        const r = secretEnv(k);
        if (!r) err(d, `${k} is not set from Secret ${SMTP_SECRET} (env valueFrom.secretKeyRef): ${svc} sends e-mail`);
        else if (generatorName(r.name) !== SMTP_SECRET || r.key !== key) {
          err(d, `${k} comes from Secret ${r.name} key ${r.key}, expected Secret ${SMTP_SECRET} key ${key}`);
        }
      }
      if (setting("AFTERCARE_SMTP_PASSWORD")) err(cm, "AFTERCARE_SMTP_PASSWORD is in the ConfigMap: the password is a file mounted from a Secret (AFTERCARE_SMTP_PASSWORD_FILE)");
      const pw = setting("AFTERCARE_SMTP_PASSWORD_FILE");
      if (!pw) err(cm, `AFTERCARE_SMTP_PASSWORD_FILE is not set: ${svc} reads the SMTP password from a file of Secret ${SMTP_SECRET}`);
      else {
        const m = (c.volumeMounts || []).find((vm) => pw.startsWith(vm.mountPath.replace(/\/?$/, "/")));
        const v = m && (spec.volumes || []).find((x) => x.name === m.name);
        if (!m) err(d, `container ${c.name}: AFTERCARE_SMTP_PASSWORD_FILE=${pw} is not under any volume mount`);
        else if (generatorName(v?.secret?.secretName || "") !== SMTP_SECRET ||
                 !(v.secret.items || [{ key: "password", path: "password" }]).some((i) => i.key === "password" && path.posix.join(m.mountPath, i.path) === pw)) {
          err(d, `container ${c.name}: AFTERCARE_SMTP_PASSWORD_FILE=${pw} is not key password of Secret ${SMTP_SECRET}`);
        }
      }
      const smtpTls = setting("AFTERCARE_SMTP_TLS") ?? "starttls";
      if (!["none", "starttls", "tls"].includes(smtpTls)) err(cm, `AFTERCARE_SMTP_TLS is ${smtpTls}: none, starttls or tls`);
      else if (req.smtpTls && !req.smtpTls.includes(smtpTls)) {
        err(cm, `AFTERCARE_SMTP_TLS is ${smtpTls}, overlay ${name} requires ${req.smtpTls.join(" or ")} (e-mail to the relay over TLS)`);
      }
      if (own.length && !SMTP_PORTS.some((port) => anyNp((np) => (np.spec?.egress || []).some((r) => (r.ports || []).some((p) => p.port === port))))) {
        err(d, `no NetworkPolicy allows egress to the SMTP relay (TCP ${SMTP_PORTS.join(", ")})`);
      }
    } else {
      const names = [...Object.keys(settings), ...(c.env || []).map((e) => e.name)].filter((k) => NOTIFY_SETTING.test(k));
      if (names.length) err(d, `${svc} sends no notifications: ${[...new Set(names)].join(", ")} do not belong to it`);
      for (const v of spec.volumes || []) {
        if (generatorName(v.secret?.secretName || "") === SMTP_SECRET) err(d, `${svc} sends no e-mail: it mounts Secret ${SMTP_SECRET}`);
      }
    }

    // Replicas and autoscaling.
    const hpa = byKind("HorizontalPodAutoscaler").find((x) => x.spec?.scaleTargetRef?.kind === "Deployment" && x.spec.scaleTargetRef.name === svc);
    if (req.hpa) {
      if (!hpa) err(d, "no HorizontalPodAutoscaler scales it");
      else if (!(hpa.spec.minReplicas >= req.minReplicas)) err(hpa, `minReplicas ${hpa.spec.minReplicas} < ${req.minReplicas}`);
      if (d.spec.replicas != null && d.spec.replicas < req.minReplicas) err(d, `replicas ${d.spec.replicas} < ${req.minReplicas}`);
    } else {
      if (hpa) err(hpa, `overlay ${name} runs fixed replicas: no autoscaler expected`);
      if (d.spec.replicas !== req.replicas) err(d, `replicas is ${d.spec.replicas}, overlay ${name} runs ${req.replicas}`);
    }

    // Migrations before serving: an init container runs the same image with
    // --migrate_only=true (applies the migrations, exits 0) and reaches the
    // database exactly as the server does, so no pod of a release serves
    // before its migrations are applied, on a first install as on a release.
    const inits = (spec.initContainers || []).filter((ic) => (ic.args || []).includes("--migrate_only=true"));
    if (inits.length !== 1) {
      err(d, `expected exactly one init container running --migrate_only=true, found ${inits.length}: pods would serve before the migrations ran`);
    }
    for (const ic of inits) {
      const where = `init container ${ic.name}`;
      if (ic.image !== c.image) err(d, `${where}: image ${ic.image} differs from the server container's ${c.image} (it must apply this release's migrations)`);
      if ((ic.command || []).length) err(d, `${where}: must run the image's entrypoint (the service binary), not command ${JSON.stringify(ic.command)}`);
      if (ic.restartPolicy) err(d, `${where}: restartPolicy ${ic.restartPolicy} makes it a sidecar, which does not finish before the server starts`);
      for (const f of ["envFrom", "env", "volumeMounts"]) {
        if (JSON.stringify(ic[f] || []) !== JSON.stringify(c[f] || [])) {
          err(d, `${where}: ${f} differs from the server container's (it must reach the database with the same settings, Secrets and files)`);
        }
      }
      const icm = (ic.envFrom || []).map((e) => e.configMapRef?.name).find(Boolean);
      const isettings = { ...(find("ConfigMap", icm)?.data || {}) };
      for (const e of ic.env || []) if (e.value !== undefined) isettings[e.name] = e.value;
      checkDbTls(d, ic, isettings, cm);  // the init container connects too
    }
    for (const j of byKind("Job")) {
      if ((j.spec?.template?.spec?.containers || []).some((jc) => imageRef(jc.image || "").name === imageRef(c.image).name)) {
        err(j, `runs the ${svc} image: migrations run in the Deployment's init container (a Job's pod template is immutable: the next release's apply would fail on it)`);
      }
    }
  }

  // 5. Secrets: referenced, never committed with real values.
  const refs = new Map(); // secret name -> Set(keys) ("*" = whole secret)
  const ref = (n, k) => { if (!refs.has(n)) refs.set(n, new Set()); refs.get(n).add(k); };
  for (const o of objects) {
    const spec = podTemplate(o)?.spec;
    if (!spec) continue;
    for (const v of spec.volumes || []) {
      if (v.secret) {
        if (v.secret.items) v.secret.items.forEach((i) => ref(v.secret.secretName, i.key));
        else ref(v.secret.secretName, "*");
      }
    }
    for (const c of allContainers(spec)) {
      for (const e of c.env || []) if (e.valueFrom?.secretKeyRef) ref(e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key);
      for (const e of c.envFrom || []) if (e.secretRef) ref(e.secretRef.name, "*");
    }
  }
  const rendered = byKind("Secret");
  // Secrets the MariaDB operator creates for a MariaDB with TLS: its CA
  // bundle, which the services mount to verify the nodes' certificates.
  const operatorSecrets = new Set(req.galera ? byKind("MariaDB").filter((m) => m.spec?.tls?.enabled !== false).map((m) => `${m.metadata.name}-ca-bundle`) : []);
  if (req.secrets === "external") {
    for (const sct of rendered) err(sct, "the overlay renders a Secret: production Secrets are created by the operator, never committed");
    const example = path.join(args.sourceDir, req.secretsExample);
    let exampleSecrets = [];
    try {
      exampleSecrets = YAML.parseAllDocuments(fs.readFileSync(example, "utf8")).map((d) => d.toJSON()).filter((x) => x?.kind === "Secret");
    } catch (e) {
      err(null, `cannot read ${req.secretsExample}: ${e.message}`);
    }
    for (const [n, keys] of refs) {
      if (operatorSecrets.has(n)) continue;  // created by the MariaDB operator
      const ex = exampleSecrets.find((x) => x.metadata?.name === n) ||
        (/-tls$/.test(n) ? exampleSecrets.find((x) => /-tls$/.test(x.metadata?.name || "")) : null);
      if (!ex) { err(null, `Secret ${n} is referenced but not described in ${req.secretsExample}`); continue; }
      const have = new Set(Object.keys({ ...(ex.data || {}), ...(ex.stringData || {}) }));
      for (const k of keys) if (k !== "*" && !have.has(k)) err(null, `Secret ${n} key ${k} is referenced but not in ${req.secretsExample}`);
    }
  } else {
    for (const sct of rendered) {
      if (sct.metadata?.labels?.["aftercare.io/dev-placeholder"] !== "true") {
        err(sct, 'a committed Secret must be a development placeholder (label aftercare.io/dev-placeholder: "true")');
      }
    }
    for (const [n, keys] of refs) {
      const sct = rendered.find((x) => x.metadata?.name === n);
      if (!sct) { err(null, `Secret ${n} is referenced but the overlay does not generate it`); continue; }
      for (const k of keys) if (k !== "*" && !Object.keys(sct.data || {}).includes(k)) err(sct, `has no key ${k}, which is referenced`);
    }
  }

  // 6. Config rollouts. A Deployment rolls only when its pod template
  // changes, and a pod names its ConfigMaps and Secrets. So every ConfigMap
  // and Secret a suite pod references that the overlay renders (the repo's:
  // generated by kustomize) must be named <name>-<hash of its content>, and
  // a changed value is a new name in the pod template. Objects the overlay
  // does not render are only the external Secrets of an overlay whose
  // Secrets are external (prod): those must be in the table of
  // req.secretsDoc (and in req.secretsExample, above). A ConfigMap is never
  // external.
  if (req.secretsDoc && !documentedSecrets(req.secretsDoc).length) {
    err(null, `${req.secretsDoc.file} has no table of Secrets under "## ${req.secretsDoc.section}"`);
  }
  for (const o of objects) {
    const spec = podTemplate(o)?.spec;
    if (!spec || o.metadata?.labels?.["app.kubernetes.io/part-of"] !== "aftercare") continue;
    const used = [];  // [kind, name]
    for (const v of spec.volumes || []) {
      if (v.configMap) used.push(["ConfigMap", v.configMap.name]);
      if (v.secret) used.push(["Secret", v.secret.secretName]);
      for (const s of v.projected?.sources || []) {
        if (s.configMap) used.push(["ConfigMap", s.configMap.name]);
        if (s.secret) used.push(["Secret", s.secret.name]);
      }
    }
    for (const c of allContainers(spec)) {
      for (const e of c.env || []) {
        if (e.valueFrom?.configMapKeyRef) used.push(["ConfigMap", e.valueFrom.configMapKeyRef.name]);
        if (e.valueFrom?.secretKeyRef) used.push(["Secret", e.valueFrom.secretKeyRef.name]);
      }
      for (const e of c.envFrom || []) {
        if (e.configMapRef) used.push(["ConfigMap", e.configMapRef.name]);
        if (e.secretRef) used.push(["Secret", e.secretRef.name]);
      }
    }
    for (const [kind, n] of new Map(used.map(([k, n]) => [`${k}/${n}`, [k, n]])).values()) {
      const obj = find(kind, n);
      if (obj) {
        const problem = contentHashProblem(obj);
        if (problem) err(o, `${kind} ${n} ${problem}`);
      } else if (kind === "ConfigMap") {
        err(o, `references ConfigMap ${n}, which the overlay does not render: settings come from the repo (a configMapGenerator), only Secrets may be external`);
      } else if (req.secrets === "external" && req.secretsDoc && !operatorSecrets.has(n) &&
                 !documentedSecrets(req.secretsDoc).some((re) => re.test(n))) {
        err(o, `references Secret ${n}, which the overlay does not render and ${req.secretsDoc.file} ("${req.secretsDoc.section}") does not list: an external Secret must be documented for the operator`);
      }
    }
  }

  // 7. The dev database.
  if (req.database) {
    const db = byKind("StatefulSet").find((x) => (x.spec?.template?.spec?.containers || []).some((c) => (c.ports || []).some((p) => p.containerPort === 3306)));
    if (!db) err(null, "no database StatefulSet (a container with port 3306)");
    else if (!(db.spec.volumeClaimTemplates || []).length) err(db, "the database needs a PersistentVolumeClaim (volumeClaimTemplates)");
    const mysql = named("Secret", "aftercare-mysql");
    const host = mysql?.data?.host && Buffer.from(mysql.data.host, "base64").toString();
    if (db && host && !byKind("Service").some((s) => s.metadata.name === host.split(".")[0] && labelsMatch({ matchLabels: s.spec.selector }, db.spec.template.metadata.labels))) {
      err(mysql, `host ${host} is not a Service of the database StatefulSet`);
    }
    if (db && !nps.some((np) => !isEmptySelector(np.spec?.podSelector) && labelsMatch(np.spec.podSelector, db.spec.template.metadata.labels))) {
      err(db, "no NetworkPolicy of its own selects the database");
    }
  }

  // 8. The Galera cluster (prod-galera).
  if (req.galera) checkGalera(objects, err, req, { find, byKind, nps, ns });

  // Monitoring (k8s/monitoring): the PrometheusRule's alerts each with a
  // severity, a summary, a description and a runbook_url whose anchor is a
  // section of docs/RUNBOOKS.md; the dashboards in a ConfigMap that
  // Grafana's sidecar loads (label grafana_dashboard), under a fixed name.
  const prs = byKind("PrometheusRule");
  if (!prs.length) err(null, "no PrometheusRule (k8s/monitoring/prometheusrule.yaml)");
  const anchors = runbookAnchors();
  for (const pr of prs) {
    for (const g of pr.spec?.groups || []) {
      for (const r of g.rules || []) {
        if (!r.alert) continue;
        const what = `alert ${r.alert}`;
        if (!["critical", "warning", "info"].includes(r.labels?.severity)) err(pr, `${what}: severity label must be critical, warning or info (got ${r.labels?.severity})`);
        for (const a of ["summary", "description", "runbook_url"]) if (!r.annotations?.[a]) err(pr, `${what}: annotation ${a} is missing`);
        const url = r.annotations?.runbook_url;
        if (url) {
          const m = /\/docs\/RUNBOOKS\.md#([a-z0-9_-]+)$/.exec(url);
          if (!m) err(pr, `${what}: runbook_url ${url} must point at a section of docs/RUNBOOKS.md (…/docs/RUNBOOKS.md#anchor)`);
          else if (!anchors.has(m[1])) err(pr, `${what}: runbook_url anchor #${m[1]} is no section of docs/RUNBOOKS.md`);
        }
      }
    }
  }
  const dashboards = byKind("ConfigMap").filter((c) => c.metadata?.labels?.grafana_dashboard);
  if (!dashboards.length) err(null, "no dashboard ConfigMap (label grafana_dashboard, k8s/monitoring)");
  for (const c of dashboards) {
    if (generatorName(c.metadata.name) !== c.metadata.name) err(c, "a dashboard ConfigMap needs a fixed name (disableNameSuffixHash): the sidecar would keep every hashed version as a duplicate");
    for (const [k, v] of Object.entries(c.data || {})) {
      try { if (!JSON.parse(v).uid) err(c, `${k}: dashboard without a uid`); } catch (e) { err(c, `${k}: not JSON (${e.message})`); }
    }
  }
  return errs;
}

// The anchors of docs/RUNBOOKS.md's headings, as GitHub makes them
// (lower case, punctuation dropped, spaces to hyphens).
let runbookAnchorCache = null;
function runbookAnchors() {
  if (runbookAnchorCache) return runbookAnchorCache;
  const file = path.join(args.sourceDir, "docs/RUNBOOKS.md");
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  runbookAnchorCache = new Set();
  let fenced = false;
  for (const line of text.split("\n")) {
    if (/^```/.test(line)) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*?)\s*$/.exec(line);
    if (m) runbookAnchorCache.add(m[1].toLowerCase().replace(/[^a-z0-9 _-]/g, "").replace(/ /g, "-"));
  }
  return runbookAnchorCache;
}

// ---------------------------------------------------------------------------
// The Dockerfile.
function checkDockerfile(text, runtimePackages) {
  const errs = [];
  const err = (m) => errs.push(`[Dockerfile] ${m}`);
  const lines = text.replace(/\\\n/g, " ").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const stages = [];
  for (const l of lines) {
    const m = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(l);
    if (m) { stages.push({ from: m[1], name: m[2], lines: [] }); continue; }
    if (stages.length) stages.at(-1).lines.push(l);
  }
  const names = new Set(stages.map((s) => s.name));
  for (const s of stages) {
    if (names.has(s.from)) continue; // FROM an earlier stage
    const ref = imageRef(s.from);
    if (ref.tag === "latest" || (!ref.tag && !ref.digest)) err(`FROM ${s.from} is not pinned (no "latest": a version tag or a digest)`);
    if (!/^(docker\.io\/)?(library\/)?debian$/.test(ref.name)) err(`FROM ${s.from}: the images build and run on Debian 12`);
    else if (!ref.digest && !/^12\.\d+(-slim)?$/.test(ref.tag)) err(`FROM ${s.from}: pin a Debian 12 point release (e.g. 12.11-slim) or a digest`);
  }
  const build = stages.find((s) => s.name === "build");
  if (!build || !build.lines.some((l) => l.includes("scripts/packages.txt"))) err('the "build" stage must install scripts/packages.txt');
  if (!build || !build.lines.some((l) => l.includes("scripts/build"))) err('the "build" stage must build with scripts/build');
  const runtime = stages.find((s) => s.name === "runtime");
  if (!runtime) err('no "runtime" stage');
  else {
    if (!imageRef(runtime.from).tag.endsWith("-slim")) err(`the runtime stage must be a slim image, not ${runtime.from}`);
    if (!runtime.lines.some((l) => /^COPY\s+k8s\/runtime-packages\.txt/.test(l))) err("the runtime stage must install k8s/runtime-packages.txt");
    const user = runtime.lines.filter((l) => /^USER\s/i.test(l)).at(-1);
    const uid = user && /^USER\s+(\d+)(:\d+)?$/i.exec(user);
    if (!uid || Number(uid[1]) === 0) err(`the runtime stage must switch to a numeric non-root USER (got ${user || "none"})`);
  }
  for (const [svc, want] of Object.entries(SERVICES)) {
    const st = stages.find((s) => s.name === svc);
    if (!st) { err(`no target ${svc}`); continue; }
    if (st.from !== "runtime") err(`target ${svc} must be FROM runtime, not ${st.from}`);
    const copies = st.lines.filter((l) => /^(COPY|ADD)\s/i.test(l));
    if (copies.length !== 1 || !copies[0].includes(`/${svc}/${svc} `)) err(`target ${svc} must copy its binary and nothing else (got ${JSON.stringify(copies)})`);
    if (st.lines.some((l) => /^(RUN|USER)\s/i.test(l))) err(`target ${svc} must add nothing but its binary (no RUN/USER)`);
    const ep = st.lines.find((l) => /^ENTRYPOINT\s/i.test(l));
    if (!ep || !ep.includes(`/${svc}"`)) err(`target ${svc}: ENTRYPOINT must be the ${svc} binary (exec form)`);
    const expose = st.lines.find((l) => /^EXPOSE\s/i.test(l));
    if (!expose || !expose.includes(String(want.grpc)) || !expose.includes(String(want.metrics))) err(`target ${svc}: EXPOSE ${want.grpc} ${want.metrics}`);
  }
  if (!runtimePackages.length) err("k8s/runtime-packages.txt lists no packages");
  for (const p of runtimePackages) if (!/^[a-z0-9][a-z0-9+.-]+$/.test(p)) err(`k8s/runtime-packages.txt: "${p}" is not a Debian package name`);
  return errs;
}

// ---------------------------------------------------------------------------
// The binaries' defaults and flags.
function checkBinaries(buildDir, overlays) {
  const errs = [];
  const warnings = [];
  for (const [svc, want] of Object.entries(SERVICES)) {
    const bin = path.join(buildDir, svc, svc);
    if (!fs.existsSync(bin)) { errs.push(`[binaries] ${bin} does not exist (build it, or leave out --build-dir)`); continue; }
    let help;
    try {
      help = execFileSync(bin, ["--help"], { encoding: "utf8", timeout: 20000 });
    } catch (e) {
      errs.push(`[binaries] ${bin} --help failed: ${e.message}`);
      continue;
    }
    const flags = new Map();
    for (const m of help.matchAll(/--(\w+)\s+\((AFTERCARE_\w+), default "([^"]*)"\)/g)) flags.set(m[2], { name: m[1], def: m[3] });
    if (!flags.size) { errs.push(`[binaries] cannot read the flags of ${svc} --help`); continue; }
    const def = (env) => flags.get(env)?.def;
    if (def("AFTERCARE_GRPC_PORT") !== String(want.grpc)) errs.push(`[binaries] ${svc}'s default grpc_port is ${def("AFTERCARE_GRPC_PORT")}, the manifests use ${want.grpc}`);
    if (def("AFTERCARE_METRICS_PORT") !== String(want.metrics)) errs.push(`[binaries] ${svc}'s default metrics_port is ${def("AFTERCARE_METRICS_PORT")}, the manifests use ${want.metrics}`);
    if (def("AFTERCARE_MYSQL_DATABASE") !== want.db) errs.push(`[binaries] ${svc}'s default mysql_database is ${def("AFTERCARE_MYSQL_DATABASE")}, the manifests use ${want.db}`);
    // Every AFTERCARE_* setting of the manifests must be a flag: the binary
    // ignores unknown variables, so a misspelt one would silently do nothing.
    for (const { name, objects } of overlays) {
      const d = objects.find((o) => o.kind === "Deployment" && o.metadata.name === svc);
      const c = d?.spec?.template?.spec?.containers?.[0];
      const cmName = (c?.envFrom || []).map((e) => e.configMapRef?.name).find(Boolean);
      const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === cmName);
      const keys = [...Object.keys(cm?.data || {}), ...(c?.env || []).map((e) => e.name)];
      for (const k of keys) {
        if (!k.startsWith("AFTERCARE_") || flags.has(k)) continue;
        const flag = k.slice("AFTERCARE_".length).toLowerCase();
        const w = `${svc}: ${k} is set for --${flag}, which ${svc} does not define yet (pending flag)`;
        if (PENDING_FLAGS.has(flag)) { if (!warnings.includes(w)) warnings.push(w); }
        else errs.push(`[${name}] ${svc}: ${k} is not a setting of ${svc} (see ${svc} --help); the binary would ignore it`);
      }
      // Flags given as arguments (the init container's --migrate_only=true).
      const known = new Set([...flags.values()].map((f) => f.name));
      for (const x of [...(d?.spec?.template?.spec?.initContainers || []), ...(d?.spec?.template?.spec?.containers || [])]) {
        for (const a of x.args || []) {
          const m = /^--(\w+)(=|$)/.exec(a);
          if (m && !known.has(m[1])) errs.push(`[${name}] ${svc}: container ${x.name} passes ${a}, but ${svc} has no flag --${m[1]} (see ${svc} --help)`);
        }
      }
    }
  }
  return { errs, warnings };
}

// ---------------------------------------------------------------------------
// Self-test: each break must be reported.
const clone = (x) => JSON.parse(JSON.stringify(x));
const dep = (objs, n) => objs.find((o) => o.kind === "Deployment" && o.metadata.name === n);
// A generated ConfigMap or Secret by its name in the repo (rendered: <name>-<hash>).
const gen = (objs, kind, n) => objs.find((o) => o.kind === kind && generatorName(o.metadata.name) === n);
const mdb = (objs) => objs.find((o) => o.kind === "MariaDB");
// The Galera NetworkPolicy's rules between the Galera pods (in and out).
const galeraRules = (objs) => {
  const np = objs.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "mariadb");
  const galera = (p) => p.podSelector?.matchLabels?.["app.kubernetes.io/name"] === "mariadb";
  return [...np.spec.ingress.filter((r) => (r.from || []).some(galera)), ...np.spec.egress.filter((r) => (r.to || []).some(galera))];
};
const initOf = (objs, n) => dep(objs, n).spec.template.spec.initContainers.find((c) => c.name === "migrate");
// Renames a rendered ConfigMap or Secret and every reference to it (as if
// the repo had it as a plain object, or an external one).
function rename(objs, kind, from, to) {
  const obj = gen(objs, kind, from);
  const old = obj.metadata.name;
  const walk = (x) => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (x === null || typeof x !== "object") return;
    for (const k of Object.keys(x)) {
      if (["name", "secretName"].includes(k) && x[k] === old) x[k] = to;
      else walk(x[k]);
    }
  };
  objs.filter((o) => podTemplate(o)).forEach((o) => walk(podTemplate(o).spec));
  obj.metadata.name = to;
}
const MUTATIONS = [
  ["readiness probe removed", "dev", (o) => { delete dep(o, "inventory-svc").spec.template.spec.containers[0].readinessProbe; }, "readinessProbe is missing"],
  ["liveness probe on the wrong name", "dev", (o) => { dep(o, "case-svc").spec.template.spec.containers[0].livenessProbe.grpc.service = "readiness"; }, 'livenessProbe must check health name "liveness"'],
  ["probe on the wrong port", "dev", (o) => { dep(o, "rma-svc").spec.template.spec.containers[0].readinessProbe.grpc.port = 50051; }, "readinessProbe probes port 50051, expected 50053"],
  ["TLS probe on the gRPC port", "prod", (o) => { dep(o, "rma-svc").spec.template.spec.containers[0].livenessProbe.grpc.port = 50053; }, "livenessProbe probes port 50053, expected 8081"],
  ["misspelt field", "dev", (o) => { const c = dep(o, "rma-svc").spec.template.spec.containers[0]; c.livenesProbe = c.livenessProbe; delete c.livenessProbe; }, "unknown field /spec/template/spec/containers/0/livenesProbe"],
  ["wrong type", "prod", (o) => { dep(o, "rma-svc").spec.template.spec.containers[0].ports[0].containerPort = "50053"; }, "must be integer"],
  ["limits removed", "prod", (o) => { delete dep(o, "licensing-svc").spec.template.spec.containers[0].resources.limits; }, "resources.limits.memory is missing"],
  ["runs as root", "dev", (o) => { const d = dep(o, "inventory-svc").spec.template.spec; d.securityContext.runAsNonRoot = false; delete d.containers[0].securityContext.runAsNonRoot; }, "runAsNonRoot must be true"],
  ["privilege escalation", "prod", (o) => { dep(o, "case-svc").spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true; }, "allowPrivilegeEscalation must be false"],
  ["capabilities kept", "prod", (o) => { dep(o, "case-svc").spec.template.spec.containers[0].securityContext.capabilities.drop = []; }, "capabilities.drop must include ALL"],
  ["writable root", "dev", (o) => { dep(o, "case-svc").spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false; }, "readOnlyRootFilesystem must be true"],
  ["no seccomp", "dev", (o) => { const d = dep(o, "case-svc").spec.template.spec; delete d.securityContext.seccompProfile; delete d.containers[0].securityContext.seccompProfile; }, "seccompProfile must be RuntimeDefault"],
  ["mariadb unrestricted", "dev", (o) => { o.find((x) => x.kind === "StatefulSet").spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true; }, "StatefulSet/mariadb: container mariadb: allowPrivilegeEscalation must be false"],
  ["latest image", "prod", (o) => { dep(o, "inventory-svc").spec.template.spec.containers[0].image = "registry.example.com/aftercare/inventory-svc:latest"; }, 'uses the "latest" tag'],
  ["untagged image", "dev", (o) => { o.find((x) => x.kind === "StatefulSet").spec.template.spec.containers[0].image = "mariadb"; }, "is not pinned"],
  ["PDB removed", "prod", (o) => { o.splice(o.findIndex((x) => x.kind === "PodDisruptionBudget" && x.metadata.name === "rma-svc"), 1); }, "Deployment/rma-svc: no PodDisruptionBudget selects its pods"],
  ["NetworkPolicy removed", "dev", (o) => { o.splice(o.findIndex((x) => x.kind === "NetworkPolicy" && x.metadata.name === "licensing-svc"), 1); }, "Deployment/licensing-svc: no NetworkPolicy of its own"],
  ["default deny removed", "prod", (o) => { o.splice(o.findIndex((x) => x.kind === "NetworkPolicy" && x.metadata.name === "default-deny"), 1); }, "no default-deny NetworkPolicy"],
  ["caller not allowed", "prod", (o) => { o.find((x) => x.kind === "NetworkPolicy" && x.metadata.name === "inventory-svc").spec.ingress[0].from.splice(0, 1); }, "no NetworkPolicy lets its caller case-svc reach gRPC port 50051"],
  ["callee not allowed", "prod", (o) => { const np = o.find((x) => x.kind === "NetworkPolicy" && x.metadata.name === "licensing-svc"); np.spec.egress = np.spec.egress.filter((r) => !(r.to || []).some((t) => t.podSelector?.matchLabels?.["app.kubernetes.io/name"] === "rma-svc")); }, "no NetworkPolicy lets it call rma-svc"],
  ["no DNS egress", "dev", (o) => { const np = o.find((x) => x.kind === "NetworkPolicy" && x.metadata.name === "case-svc"); np.spec.egress = np.spec.egress.filter((r) => !(r.ports || []).some((p) => p.port === 53)); }, "no NetworkPolicy allows DNS egress"],
  ["container port drift", "dev", (o) => { dep(o, "licensing-svc").spec.template.spec.containers[0].ports[1].containerPort = 9100; }, 'container port "metrics" is 9100'],
  ["ConfigMap port drift", "prod", (o) => { gen(o, "ConfigMap", "case-svc-config").data.AFTERCARE_GRPC_PORT = "50060"; }, "AFTERCARE_GRPC_PORT is 50060"],
  ["Service port drift", "prod", (o) => { o.find((x) => x.kind === "Service" && x.metadata.name === "rma-svc").spec.ports[0].port = 443; }, 'port "grpc" is 443, expected 50053'],
  ["Service port renamed", "dev", (o) => { o.find((x) => x.kind === "Service" && x.metadata.name === "rma-svc").spec.ports[1].name = "http"; }, 'no port named "metrics"'],
  ["headless not headless", "dev", (o) => { delete o.find((x) => x.kind === "Service" && x.metadata.name === "inventory-svc-headless").spec.clusterIP; }, "must be headless"],
  ["wrong database", "dev", (o) => { gen(o, "ConfigMap", "case-svc-config").data.AFTERCARE_MYSQL_DATABASE = "aftercare_case"; }, "AFTERCARE_MYSQL_DATABASE is aftercare_case"],
  ["init container removed", "prod", (o) => { delete dep(o, "rma-svc").spec.template.spec.initContainers; }, "expected exactly one init container running --migrate_only=true, found 0"],
  ["init container without --migrate_only", "dev", (o) => { initOf(o, "inventory-svc").args = ["--migrate=true"]; }, "expected exactly one init container running --migrate_only=true, found 0"],
  ["init container on the previous release", "prod", (o) => { initOf(o, "case-svc").image = "registry.example.com/aftercare/case-svc:0.0.9"; }, "init container migrate: image registry.example.com/aftercare/case-svc:0.0.9 differs from the server container's"],
  ["init container with other settings", "dev", (o) => { initOf(o, "inventory-svc").env.pop(); }, "init container migrate: env differs from the server container's"],
  ["init container without the database CA", "prod", (o) => { const c = initOf(o, "licensing-svc"); c.volumeMounts = c.volumeMounts.filter((m) => m.name !== "mysql-tls"); }, "Deployment/licensing-svc: container migrate: AFTERCARE_MYSQL_TLS_CA_FILE=/etc/aftercare/mysql-tls/ca.crt is not under any volume mount"],
  ["init container as a sidecar", "prod", (o) => { initOf(o, "rma-svc").restartPolicy = "Always"; }, "makes it a sidecar"],
  ["migration Job back", "dev", (o) => { o.push({ apiVersion: "batch/v1", kind: "Job", metadata: { name: "rma-svc-migrate", namespace: "aftercare" }, spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ ...initOf(o, "rma-svc"), name: "migrate" }] } } } }); }, "Job/rma-svc-migrate: runs the rma-svc image: migrations run in the Deployment's init container"],
  ["plain ConfigMap", "prod", (o) => { rename(o, "ConfigMap", "case-svc-config", "case-svc-config"); }, "Deployment/case-svc: ConfigMap case-svc-config has no content hash in its name"],
  ["ConfigMap edited after hashing", "dev", (o) => { gen(o, "ConfigMap", "rma-svc-config").data.AFTERCARE_LOG_LEVEL = "warning"; }, "but the hash of its content is"],
  ["dev Secret without content hash", "dev", (o) => { rename(o, "Secret", "rma-svc-db", "rma-svc-db"); }, "Deployment/rma-svc: Secret rma-svc-db has no content hash in its name"],
  ["ConfigMap from outside the repo", "prod", (o) => { dep(o, "inventory-svc").spec.template.spec.containers[0].envFrom.push({ configMapRef: { name: "inventory-svc-extra" } }); }, "references ConfigMap inventory-svc-extra, which the overlay does not render"],
  ["external Secret not in the docs", "prod", (o) => { dep(o, "case-svc").spec.template.spec.volumes.push({ name: "extra", secret: { secretName: "case-svc-extra" } }); }, 'Secret case-svc-extra, which the overlay does not render and docs/KUBERNETES.md ("Secrets (prod)") does not list'],
  ["replicas migrate", "prod", (o) => { gen(o, "ConfigMap", "rma-svc-config").data.AFTERCARE_MIGRATE = "true"; }, "replicas must run with migrate=false"],
  ["short grace period", "prod", (o) => { dep(o, "case-svc").spec.template.spec.terminationGracePeriodSeconds = 20; }, "terminationGracePeriodSeconds 20 must exceed"],
  ["no preStop", "dev", (o) => { delete dep(o, "case-svc").spec.template.spec.containers[0].lifecycle; }, "needs a preStop pause"],
  ["no topology spread", "prod", (o) => { delete dep(o, "inventory-svc").spec.template.spec.topologySpreadConstraints; }, "needs a topologySpreadConstraint"],
  ["HPA removed", "prod", (o) => { o.splice(o.findIndex((x) => x.kind === "HorizontalPodAutoscaler" && x.metadata.name === "case-svc"), 1); }, "Deployment/case-svc: no HorizontalPodAutoscaler scales it"],
  ["HPA below two", "prod", (o) => { o.find((x) => x.kind === "HorizontalPodAutoscaler" && x.metadata.name === "case-svc").spec.minReplicas = 1; }, "minReplicas 1 < 2"],
  ["dev scaled up", "dev", (o) => { dep(o, "case-svc").spec.replicas = 3; }, "replicas is 3, overlay dev runs 1"],
  ["mTLS off", "prod", (o) => { delete gen(o, "ConfigMap", "licensing-svc-config").data.AFTERCARE_TLS_CA_FILE; }, "AFTERCARE_TLS_CA_FILE must be set"],
  ["database TLS off", "prod", (o) => { delete gen(o, "ConfigMap", "case-svc-config").data.AFTERCARE_MYSQL_TLS_MODE; }, "AFTERCARE_MYSQL_TLS_MODE is disabled, overlay prod requires verify_identity"],
  ["database identity not verified", "prod", (o) => { gen(o, "ConfigMap", "rma-svc-config").data.AFTERCARE_MYSQL_TLS_MODE = "required"; }, "AFTERCARE_MYSQL_TLS_MODE is required, overlay prod requires verify_identity"],
  ["database CA unset", "prod", (o) => { delete gen(o, "ConfigMap", "inventory-svc-config").data.AFTERCARE_MYSQL_TLS_CA_FILE; }, "AFTERCARE_MYSQL_TLS_CA_FILE must be set"],
  ["cert not mounted", "prod", (o) => { const c = dep(o, "licensing-svc").spec.template.spec.containers[0]; c.volumeMounts = c.volumeMounts.filter((m) => m.name !== "tls"); }, "AFTERCARE_TLS_CERT_FILE=/etc/aftercare/tls/tls.crt is not under any volume mount"],
  ["target to the ClusterIP Service", "prod", (o) => { gen(o, "ConfigMap", "case-svc-config").data.AFTERCARE_INVENTORY_TARGET = "dns:///inventory-svc.aftercare.svc.cluster.local:50051"; }, "AFTERCARE_INVENTORY_TARGET is dns:///inventory-svc.aftercare"],
  ["committed prod Secret", "prod", (o) => { o.push({ apiVersion: "v1", kind: "Secret", metadata: { name: "aftercare-mysql", namespace: "aftercare" }, stringData: { host: "db", port: "3306" } }); }, "production Secrets are created by the operator"],
  ["undocumented prod Secret", "prod", (o) => { dep(o, "rma-svc").spec.template.spec.volumes.push({ name: "extra", secret: { secretName: "rma-svc-extra" } }); }, "Secret rma-svc-extra is referenced but not described"],
  ["missing dev Secret", "dev", (o) => { o.splice(o.indexOf(gen(o, "Secret", "rma-svc-page-tokens")), 1); }, "is referenced but the overlay does not generate it"],
  ["non-placeholder dev Secret", "dev", (o) => { delete gen(o, "Secret", "aftercare-jwt").metadata.labels; }, "must be a development placeholder"],
  ["dev database without volume", "dev", (o) => { delete o.find((x) => x.kind === "StatefulSet").spec.volumeClaimTemplates; }, "needs a PersistentVolumeClaim"],
  ["SMTP URL not from the Secret", "prod", (o) => { const c = dep(o, "rma-svc").spec.template.spec.containers[0]; c.env = c.env.filter((e) => e.name !== "AFTERCARE_SMTP_URL"); }, "Deployment/rma-svc: AFTERCARE_SMTP_URL is not set from Secret aftercare-smtp"],
  ["SMTP From from another key", "dev", (o) => { dep(o, "licensing-svc").spec.template.spec.containers[0].env.find((e) => e.name === "AFTERCARE_SMTP_FROM").valueFrom.secretKeyRef.key = "username"; }, "AFTERCARE_SMTP_FROM comes from Secret"],
  ["SMTP password not mounted", "dev", (o) => { const c = dep(o, "case-svc").spec.template.spec.containers[0]; c.volumeMounts = c.volumeMounts.filter((m) => m.name !== "smtp"); }, "AFTERCARE_SMTP_PASSWORD_FILE=/etc/aftercare/smtp/password is not under any volume mount"],
  ["SMTP password file unset", "prod", (o) => { delete gen(o, "ConfigMap", "case-svc-config").data.AFTERCARE_SMTP_PASSWORD_FILE; }, "AFTERCARE_SMTP_PASSWORD_FILE is not set"],
  ["SMTP without TLS in prod", "prod", (o) => { gen(o, "ConfigMap", "licensing-svc-config").data.AFTERCARE_SMTP_TLS = "none"; }, "AFTERCARE_SMTP_TLS is none, overlay prod requires starttls or tls"],
  ["no SMTP egress", "prod", (o) => { const np = o.find((x) => x.kind === "NetworkPolicy" && x.metadata.name === "case-svc"); np.spec.egress = np.spec.egress.filter((r) => !(r.ports || []).some((p) => p.port === 587)); }, "Deployment/case-svc: no NetworkPolicy allows egress to the SMTP relay"],
  ["inventory-svc with SMTP settings", "dev", (o) => { dep(o, "inventory-svc").spec.template.spec.containers[0].env.push({ name: "AFTERCARE_SMTP_URL", valueFrom: { secretKeyRef: { name: "aftercare-smtp", key: "url" } } }); }, "inventory-svc sends no notifications: AFTERCARE_SMTP_URL"],
  ["ServiceMonitor port", "prod", (o) => { o.find((x) => x.kind === "ServiceMonitor" && x.metadata.name === "case-svc").spec.endpoints[0].port = "http"; }, 'no endpoint on port "metrics"'],
  ["alert without runbook section", "prod", (o) => { o.find((x) => x.kind === "PrometheusRule").spec.groups.find((g) => g.rules.some((r) => r.alert)).rules.find((r) => r.alert).annotations.runbook_url += "-gone"; }, "is no section of docs/RUNBOOKS.md"],
  ["alert without severity", "dev", (o) => { delete o.find((x) => x.kind === "PrometheusRule").spec.groups.flatMap((g) => g.rules).find((r) => r.alert).labels.severity; }, "severity label must be critical, warning or info"],
  ["alert without summary", "prod", (o) => { delete o.find((x) => x.kind === "PrometheusRule").spec.groups.flatMap((g) => g.rules).filter((r) => r.alert).at(-1).annotations.summary; }, "annotation summary is missing"],
  ["dashboard with a hashed name", "dev", (o) => { o.find((x) => x.kind === "ConfigMap" && x.metadata.labels?.grafana_dashboard).metadata.name += "-5f8c7d9k2m"; }, "a dashboard ConfigMap needs a fixed name"],
  ["PrometheusRule removed", "prod", (o) => { o.splice(o.findIndex((x) => x.kind === "PrometheusRule"), 1); }, "no PrometheusRule"],
  // The Galera variant (k8s/components/galera).
  ["Galera on two nodes", "prod-galera", (o) => { mdb(o).spec.replicas = 2; }, "spec.replicas is 2, expected 3 Galera nodes"],
  ["Galera off", "prod-galera", (o) => { mdb(o).spec.galera.enabled = false; }, "spec.galera.enabled must be true"],
  ["Galera field misspelt", "prod-galera", (o) => { const s = mdb(o).spec; s.galerra = s.galera; delete s.galera; }, "unknown field /spec/galerra"],
  ["Galera replicas as a string", "prod-galera", (o) => { mdb(o).spec.replicas = "3"; }, "/spec/replicas must be integer"],
  ["Galera without storage", "prod-galera", (o) => { delete mdb(o).spec.storage; }, "spec.storage.size is missing"],
  ["Galera without PodDisruptionBudget", "prod-galera", (o) => { delete mdb(o).spec.podDisruptionBudget; }, "no PodDisruptionBudget for the Galera nodes"],
  ["Galera PodDisruptionBudget of two", "prod-galera", (o) => { mdb(o).spec.podDisruptionBudget.maxUnavailable = 2; }, "PodDisruptionBudget maxUnavailable is 2, expected 1"],
  ["Galera nodes on one Kubernetes node", "prod-galera", (o) => { delete mdb(o).spec.affinity; }, "spec.affinity.antiAffinityEnabled must be true"],
  ["Galera without required TLS", "prod-galera", (o) => { mdb(o).spec.tls.required = false; }, "spec.tls.enabled and spec.tls.required must be true"],
  ["Galera agent unrestricted", "prod-galera", (o) => { mdb(o).spec.galera.agent.securityContext.allowPrivilegeEscalation = true; }, "spec.galera.agent.securityContext: allowPrivilegeEscalation must be false"],
  ["Galera image unpinned", "prod-galera", (o) => { mdb(o).spec.image = "docker.io/library/mariadb"; }, "is not pinned"],
  ["root password undocumented", "prod-galera", (o) => { mdb(o).spec.rootPasswordSecretKeyRef.name = "galera-root"; }, "Secret galera-root key password (the root password) is not described"],
  ["service database missing", "prod-galera", (o) => { o.splice(o.findIndex((x) => x.kind === "Database" && x.spec.name === "aftercare_rma"), 1); }, "no Database aftercare_rma on MariaDB mariadb"],
  ["service user missing", "prod-galera", (o) => { o.splice(o.findIndex((x) => x.kind === "User" && x.spec.passwordSecretKeyRef.name === "case-svc-db"), 1); }, "Deployment/case-svc: no User on MariaDB mariadb"],
  ["user name not the Secret's", "prod-galera", (o) => { o.find((x) => x.kind === "User" && x.spec.name === "licensing").spec.name = "aftercare"; }, "creates user aftercare, but licensing-svc logs in as licensing"],
  ["grant on another database", "prod-galera", (o) => { o.find((x) => x.kind === "Grant" && x.spec.username === "inventory").spec.database = "aftercare_cases"; }, "no Grant to inventory on database aftercare_inventory"],
  ["grant read-only", "prod-galera", (o) => { o.find((x) => x.kind === "Grant" && x.spec.username === "rma").spec.privileges = ["SELECT"]; }, "rma needs ALL PRIVILEGES on aftercare_rma"],
  ["user connection limit", "prod-galera", (o) => { delete o.find((x) => x.kind === "User" && x.spec.name === "cases").spec.maxUserConnections; }, "maxUserConnections 10 < 100"],
  ["one Galera host", "prod-galera", (o) => { gen(o, "ConfigMap", "rma-svc-config").data.AFTERCARE_MYSQL_HOST = "mariadb-0.mariadb-internal:3306"; }, "AFTERCARE_MYSQL_HOST lists 1 distinct Galera nodes"],
  ["a Galera host twice", "prod-galera", (o) => { gen(o, "ConfigMap", "case-svc-config").data.AFTERCARE_MYSQL_HOST = "mariadb-0.mariadb-internal:3306,mariadb-1.mariadb-internal:3306,mariadb-0.mariadb-internal.aftercare.svc.cluster.local:3306"; }, "AFTERCARE_MYSQL_HOST lists 2 distinct Galera nodes"],
  ["the Service instead of the nodes", "prod-galera", (o) => { gen(o, "ConfigMap", "inventory-svc-config").data.AFTERCARE_MYSQL_HOST = "mariadb:3306,mariadb-1.mariadb-internal:3306,mariadb-2.mariadb-internal:3306"; }, 'AFTERCARE_MYSQL_HOST entry "mariadb:3306" is not a Galera node'],
  ["a Galera host on the wrong port", "prod-galera", (o) => { gen(o, "ConfigMap", "licensing-svc-config").data.AFTERCARE_MYSQL_HOST = "mariadb-0.mariadb-internal:3306,mariadb-1.mariadb-internal:3307,mariadb-2.mariadb-internal:3306"; }, "the nodes serve MySQL on 3306"],
  ["external host back in env", "prod-galera", (o) => { dep(o, "rma-svc").spec.template.spec.containers[0].env.unshift({ name: "AFTERCARE_MYSQL_HOST", valueFrom: { secretKeyRef: { name: "aftercare-mysql", key: "host" } } }); }, "AFTERCARE_MYSQL_HOST is set in env from Secret aftercare-mysql"],
  ["database CA not the operator's", "prod-galera", (o) => { dep(o, "case-svc").spec.template.spec.volumes.find((v) => v.name === "mysql-tls").secret.secretName = "aftercare-mysql-tls"; }, "AFTERCARE_MYSQL_TLS_CA_FILE is not from Secret mariadb-ca-bundle"],
  ["MySQL egress anywhere", "prod-galera", (o) => { const np = o.find((x) => x.kind === "NetworkPolicy" && x.metadata.name === "rma-svc"); delete np.spec.egress.find((r) => (r.ports || []).some((p) => p.port === 3306)).to; }, "NetworkPolicy/rma-svc: egress on 3306 goes beyond the Galera pods"],
  ["Galera NetworkPolicy removed", "prod-galera", (o) => { o.splice(o.findIndex((x) => x.kind === "NetworkPolicy" && x.metadata.name === "mariadb"), 1); }, "no NetworkPolicy of its own selects the Galera pods"],
  ["service cannot reach Galera", "prod-galera", (o) => { o.find((x) => x.kind === "NetworkPolicy" && x.metadata.name === "mariadb").spec.ingress[0].from[0].podSelector.matchExpressions[0].values.pop(); }, "no NetworkPolicy lets licensing-svc reach the Galera pods on 3306"],
  ["no gcomm over UDP", "prod-galera", (o) => { for (const r of galeraRules(o)) r.ports = r.ports.filter((p) => !(p.port === 4567 && p.protocol === "UDP")); }, "reach each other on 4567/UDP"],
  ["no IST", "prod-galera", (o) => { for (const r of galeraRules(o)) r.ports = r.ports.filter((p) => p.port !== 4568); }, "reach each other on 4568/TCP"],
  ["no SST", "prod-galera", (o) => { for (const r of galeraRules(o)) r.ports = r.ports.filter((p) => p.port !== 4444); }, "reach each other on 4444/TCP"],
  ["Galera port open to the services", "prod-galera", (o) => { o.find((x) => x.kind === "NetworkPolicy" && x.metadata.name === "mariadb").spec.ingress[0].ports.push({ protocol: "TCP", port: 4444 }); }, "ingress 4444/TCP from"],
  ["Galera pods open to all", "prod-galera", (o) => { o.find((x) => x.kind === "NetworkPolicy" && x.metadata.name === "mariadb").spec.ingress.push({ ports: [{ protocol: "TCP", port: 22 }] }); }, "an ingress rule without from or ports"],
  ["Galera pods reach out", "prod-galera", (o) => { o.find((x) => x.kind === "NetworkPolicy" && x.metadata.name === "mariadb").spec.egress.push({ ports: [{ protocol: "TCP", port: 25 }] }); }, "egress 25/TCP: the Galera pods reach DNS, each other and the API server only"],
  ["unknown kind", "dev", (o) => { o.push({ apiVersion: "v1", kind: "Deploymnet", metadata: { name: "x", namespace: "aftercare" } }); }, "no Kubernetes API schema for apiVersion v1 kind Deploymnet"],
];
const DOCKERFILE_MUTATIONS = [
  ["latest base", (t) => t.replace("FROM debian:12.11-slim AS runtime", "FROM debian:latest AS runtime"), 'FROM debian:latest is not pinned'],
  ["unpinned base", (t) => t.replace("FROM debian:12.11 AS build", "FROM debian AS build"), "FROM debian is not pinned"],
  ["root user", (t) => t.replace(/^USER 10001:10001$/m, "USER root"), "numeric non-root USER"],
  ["runtime packages not read", (t) => t.replace("COPY k8s/runtime-packages.txt", "COPY k8s/other.txt"), "must install k8s/runtime-packages.txt"],
  ["extra file in an image", (t) => t.replace(/(COPY --from=build \/src\/build-image\/rma-svc\/rma-svc \/usr\/local\/bin\/rma-svc)/, "$1\nCOPY scripts /scripts"), "target rma-svc must copy its binary and nothing else"],
  ["target missing", (t) => t.replace("AS case-svc", "AS case"), "no target case-svc"],
];

// ---------------------------------------------------------------------------
async function main() {
  const overlays = [];
  let problems = [];
  for (const { name, file } of args.overlays) {
    let objects = [];
    try {
      const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
      for (const d of docs) {
        if (d.errors.length) throw new Error(d.errors.map((e) => e.message).join("; "));
        const o = d.toJSON();
        if (o) objects.push(o);
      }
    } catch (e) {
      problems.push(`[${name}] cannot parse the rendered manifests ${file}: ${e.message}`);
      continue;
    }
    overlays.push({ name, objects });
  }
  for (const want of Object.keys(OVERLAYS)) {
    if (!overlays.some((o) => o.name === want)) problems.push(`overlay ${want} was not rendered`);
  }
  let total = 0;
  for (const { name, objects } of overlays) {
    total += objects.length;
    problems.push(...(await checkOverlay(name, objects)));
  }

  const dockerfilePath = path.join(args.sourceDir, "k8s/Dockerfile");
  const runtimePackages = fs.readFileSync(path.join(args.sourceDir, "k8s/runtime-packages.txt"), "utf8")
    .split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const dockerfile = fs.readFileSync(dockerfilePath, "utf8");
  problems.push(...checkDockerfile(dockerfile, runtimePackages));

  let warnings = [];
  if (args.buildDir) {
    const r = checkBinaries(args.buildDir, overlays);
    problems.push(...r.errs);
    warnings = r.warnings;
  } else {
    warnings.push("no --build-dir: the binaries' defaults and flags were not compared with the manifests");
  }

  let selfTestFailures = [];
  let selfTestCount = 0;
  if (args.selfTest) {
    for (const [what, overlay, mutate, expect] of MUTATIONS) {
      const base = overlays.find((o) => o.name === overlay);
      if (!base) continue;
      selfTestCount++;
      const objs = clone(base.objects);
      try {
        mutate(objs);
      } catch (e) {
        selfTestFailures.push(`self-test "${what}": cannot apply the break (${e.message}); update the self-test`);
        continue;
      }
      const errs = await checkOverlay(overlay, objs, { skipSchemas: !/schema|field|integer|Kubernetes API/.test(expect) });
      if (!errs.some((e) => e.includes(expect))) {
        selfTestFailures.push(`self-test "${what}" (${overlay}): the break was not reported (expected a problem containing "${expect}"; got ${errs.length ? errs.join(" | ") : "none"})`);
      }
    }
    for (const [what, mutate, expect] of DOCKERFILE_MUTATIONS) {
      selfTestCount++;
      const broken = mutate(dockerfile);
      if (broken === dockerfile) { selfTestFailures.push(`self-test "${what}": the Dockerfile break did not apply; update the self-test`); continue; }
      const errs = checkDockerfile(broken, runtimePackages);
      if (!errs.some((e) => e.includes(expect))) selfTestFailures.push(`self-test "${what}" (Dockerfile): not reported (expected "${expect}"; got ${errs.join(" | ") || "none"})`);
    }
  }

  for (const w of warnings) console.log(`warning: ${w}`);
  for (const p of problems) console.log(`FAIL ${p}`);
  for (const p of selfTestFailures) console.log(`FAIL ${p}`);
  const bad = problems.length + selfTestFailures.length;
  console.log(`k8s manifests: ${total} objects in ${overlays.length} overlays (${overlays.map((o) => o.name).join(", ")}), Dockerfile` +
    `${args.buildDir ? ", binaries" : ""}: ${problems.length} problem(s)` +
    `${args.selfTest ? `; self-test: ${selfTestCount - selfTestFailures.length}/${selfTestCount} breaks detected` : ""}`);
  process.exit(bad ? 1 : 0);
}

main().catch((e) => {
  console.log(`FAIL validate_manifests.mjs crashed: ${e.stack || e}`);
  process.exit(1);
});
