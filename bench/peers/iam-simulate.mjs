// bench/peers/iam-simulate.mjs: decide a SPEC world + requests with @cloud-copilot/iam-simulate.
//
//   node bench/peers/iam-simulate.mjs --modules DIR/node_modules --world W.json \
//        --requests R.jsonl --out DECISIONS.jsonl [--seconds S] [--public-sample N]
//
// iam-simulate is used as a tool only (it is AGPL-3.0; nothing of it enters the project): it
// is loaded from the scratch folder given by --modules at run time.
//
// How a SPEC request becomes an iam-simulate simulation (what the world binds is applied
// here, exactly as ../../../shared/SPEC.md sections 2 and 3 say; iam-simulate leaves it to
// the caller):
//   - principal: the request's ARN ("*" becomes iam-simulate's anonymousPrincipal);
//     identity policies, permissions boundary and session policies from the world entry
//     (several session policies are merged into one document: iam-simulate takes one).
//   - SCPs: the levels of the principal's account when it is in the organization and the
//     principal is an IAM principal that is not a service-linked role.
//   - RCPs: the levels of the resource's account (the caller's when nothing names the owner,
//     and for an action on no resource, "*") when it is in the organization, the
//     service is one RCPs govern and the caller is not a service-linked role
//     (iam-simulate adds RCPFullAWSAccess itself).
//   - resource policy: the world's longest-prefix resources[] entry; resource account:
//     request.resource_account, else that entry's account, else the ARN's account field unless
//     it is empty or "aws", else (S3 ARNs of unknown buckets) the principal's account, which is
//     what Arbiter's "no resource account means same account" rule amounts to.
//   - context: the request's keys, values as strings (booleans and numbers printed), arrays
//     kept; then the keys SPEC section 3 derives from the world (aws:PrincipalArn,
//     aws:PrincipalAccount, aws:PrincipalType, aws:userid, aws:username,
//     aws:PrincipalTag/*, aws:PrincipalOrgID, aws:ResourceAccount, aws:ResourceOrgID,
//     aws:ResourceTag/*) are added when the request does not give them, because
//     iam-simulate derives none of them itself. Every key is passed to the core engine;
//     runSimulation's public entry point would drop keys the Service Authorization
//     Reference does not list for the action (that path is timed separately, below).
//
// Decisions use iam-simulate's core engine (`authorize` from core_engine/, the function
// runSimulation calls) with every policy parsed once up front (`loadPolicy`), like
// Arbiter's compiled world. Throughput is measured twice: that core path over all requests,
// and the public `runSimulation` (validates and parses every policy on every call) over the
// first --public-sample requests.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const modules = path.resolve(opt('--modules', '/tmp/arbiter-peers/node_modules'));
const worldPath = opt('--world');
const requestsPath = opt('--requests');
const outPath = opt('--out');
const seconds = Number(opt('--seconds', '5'));
const publicSample = Number(opt('--public-sample', '2000'));

const simRoot = path.join(modules, '@cloud-copilot/iam-simulate/dist/esm');
const imp = (p) => import(pathToFileURL(path.join(simRoot, p)).href);
const sim = await import(pathToFileURL(path.join(simRoot, 'index.js')).href);
const { authorize } = await imp('core_engine/CoreSimulatorEngine.js');
const { AwsRequestImpl } = await imp('request/request.js');
const { RequestContextImpl } = await imp('requestContext.js');
const { DiscoveryContextKeyConstraints } = await imp('context_keys/discoveryContextKeyConstraints.js');
const { loadPolicy } = await import(
  pathToFileURL(path.join(modules, '@cloud-copilot/iam-policy/dist/esm/index.js')).href
);
const simVersion = JSON.parse(
  fs.readFileSync(path.join(modules, '@cloud-copilot/iam-simulate/package.json'), 'utf8')
).version;

const world = JSON.parse(fs.readFileSync(worldPath, 'utf8'));
const requestLines = fs.readFileSync(requestsPath, 'utf8').split('\n').filter((l) => l.trim());
const requests = requestLines.map((l) => JSON.parse(l));

// --- world binding (SPEC section 2), mirroring compiler/world.cc DerivePrincipal ---------
const orgId = world.organization?.id;
const orgAccounts = world.organization?.accounts ?? {};
const isAccountId = (s) => /^\d{12}$/.test(s);
function splitArn(arn) {
  const p = arn.split(':');
  if (p.length < 6 || p[0] !== 'arn') return undefined;
  return { partition: p[1], service: p[2], region: p[3], account: p[4], resource: p.slice(5).join(':') };
}
function derivePrincipal(arn) {
  const e = { arn, principal_arn: arn, tags: {}, identity_policies: [], session_policies: [] };
  if (arn === '*') return { ...e, type: 'Anonymous', account: '' };
  if (isAccountId(arn)) return { ...e, type: 'Account', account: arn, principal_arn: `arn:aws:iam::${arn}:root` };
  const p = splitArn(arn);
  if (!p) return { ...e, type: 'AWSService', account: '' };
  e.account = p.account;
  const res = p.resource;
  if (p.service === 'iam' && res === 'root') e.type = 'Account';
  else if (p.service === 'iam' && res.startsWith('user/')) {
    e.type = 'User';
    e.username = res.slice(res.lastIndexOf('/') + 1);
  } else if (p.service === 'sts' && res.startsWith('assumed-role/')) {
    e.type = 'AssumedRole';
    const role = res.slice(13).split('/')[0];
    e.principal_arn = `arn:${p.partition}:iam::${p.account}:role/${role}`;
  } else if (p.service === 'sts' && res.startsWith('federated-user/')) e.type = 'FederatedUser';
  else if (p.service === 'iam' && res.startsWith('role/')) e.type = 'AssumedRole';
  else e.type = 'User';
  return e;
}
const principalByArn = new Map();
for (const wp of world.principals ?? []) {
  const d = derivePrincipal(wp.arn);
  principalByArn.set(wp.arn, { ...d, ...wp, tags: wp.tags ?? {} });
}
function findResource(arn) {
  let best;
  for (const r of world.resources ?? []) {
    if (!arn.startsWith(r.arn)) continue;
    if (arn.length !== r.arn.length && arn[r.arn.length] !== '/' && arn[r.arn.length] !== ':') continue;
    if (!best || r.arn.length > best.arn.length) best = r;
  }
  return best;
}
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
const RCP_SERVICES = new Set(['s3', 'sts', 'kms', 'sqs', 'secretsmanager', 'cognito-idp',
  'cognito-identity', 'logs', 'dynamodb', 'ecr', 'aoss']);
const isServiceLinkedRole = (p) => p.type === 'AssumedRole' && p.principal_arn.includes(':role/aws-service-role/');

// Every policy parsed once, as Arbiter compiles its world once.
const loaded = new Map();
function policy(name) {
  if (!loaded.has(name)) loaded.set(name, loadPolicy(world.policies[name], { name }));
  return loaded.get(name);
}
function mergedSessionPolicy(names) {
  if (names.length === 1) return world.policies[names[0]];
  const statements = names.flatMap((n) => [world.policies[n].Statement].flat());
  return { Version: world.policies[names[0]].Version, Statement: statements };
}
const orgLevels = (levels) =>
  levels.map((names, i) => ({ orgIdentifier: `level-${i}`, policies: names.map((n) => ({ name: n, policy: world.policies[n] })) }));
const loadLevels = (levels) =>
  levels.map((lv) => ({ orgIdentifier: lv.orgIdentifier, policies: lv.policies.map((p) => policy(p.name)) }));

const strValue = (v) => (Array.isArray(v) ? v.map(strValue) : typeof v === 'string' ? v : String(v));

const wildcardOnly = new Map();
for (const r of requests) {
  const a = r.action.toLowerCase();
  if (wildcardOnly.has(a)) continue;
  const [svc, act] = r.action.split(':');
  let w = false;
  try { w = await sim.isWildcardOnlyAction(svc, act); } catch { w = false; }
  wildcardOnly.set(a, w);
}

const DEFAULT_RCP = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }]
};
const defaultRcp = loadPolicy(DEFAULT_RCP, { name: 'RCPFullAWSAccess' });
const simulationParameters = {
  simulationMode: 'Strict',
  discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([])
};

// Build, per request, the public Simulation object and the core engine's input.
function convert(req) {
  const p = principalByArn.get(req.principal) ?? derivePrincipal(req.principal);
  const anonymous = p.type === 'Anonymous';
  const iam = !anonymous && p.type !== 'AWSService';
  const resource = req.resource === '*' ? undefined : findResource(req.resource);
  const arnAccount = splitArn(req.resource)?.account;
  // Only a 12-digit account id in the ARN names an owner ("aws" in AWS-owned ARNs does not).
  let resourceAccount = req.resource_account ?? resource?.account ?? (arnAccount && arnAccount !== 'aws' ? arnAccount : '');
  const resourceAccountKnown = resourceAccount !== '';
  if (!resourceAccountKnown) resourceAccount = p.account || '000000000000';

  const ctx = {};
  const given = new Set();
  for (const [k, v] of Object.entries(req.context ?? {})) {
    ctx[k] = strValue(v);
    given.add(k.toLowerCase());
  }
  const derive = (k, v) => { if (!given.has(k.toLowerCase())) { ctx[k] = v; given.add(k.toLowerCase()); } };
  if (iam) {
    derive('aws:PrincipalArn', p.principal_arn);
    if (p.account) derive('aws:PrincipalAccount', p.account);
  }
  if (p.type !== 'AWSService') derive('aws:PrincipalType', p.type);
  if (p.user_id) derive('aws:userid', p.user_id);
  else if (p.type === 'Account') derive('aws:userid', p.account);
  if (p.type === 'User' && p.username) derive('aws:username', p.username);
  for (const [k, v] of Object.entries(p.tags ?? {})) derive(`aws:PrincipalTag/${k}`, v);
  if (orgId && iam && orgAccounts[p.account]) derive('aws:PrincipalOrgID', orgId);
  if (resourceAccountKnown) {
    derive('aws:ResourceAccount', resourceAccount);
    if (orgId && orgAccounts[resourceAccount]) derive('aws:ResourceOrgID', orgId);
  }
  for (const [k, v] of Object.entries(resource?.tags ?? {})) derive(`aws:ResourceTag/${k}`, v);

  const service = req.action.split(':')[0].toLowerCase();
  const slr = isServiceLinkedRole(p);
  const scpLevels = iam && !slr && orgAccounts[p.account] ? orgLevels(orgAccounts[p.account].scps ?? []) : [];
  // An owner nothing names is the caller's account, for RCPs too, and so is the account of an
  // action on no resource ("*"; tests/golden/23).
  // "RCPs do not impact the kms:RetireGrant permission" (orgs_manage_policies_rcps.html).
  const rcpExempt = req.action.toLowerCase() === 'kms:retiregrant';
  const rcpLevels = RCP_SERVICES.has(service) && !rcpExempt && !slr && orgAccounts[resourceAccount]
    ? orgLevels(orgAccounts[resourceAccount].rcps ?? []) : [];
  const sessionNames = p.session_policies ?? [];
  const simulation = {
    request: {
      principal: anonymous ? sim.anonymousPrincipal : req.principal,
      action: req.action,
      resource: { resource: req.resource, accountId: resourceAccount },
      contextVariables: ctx
    },
    identityPolicies: (p.identity_policies ?? []).map((n) => ({ name: n, policy: world.policies[n] })),
    serviceControlPolicies: scpLevels,
    resourceControlPolicies: rcpLevels,
    resourcePolicy: resource?.policy ? world.policies[resource.policy] : undefined,
    permissionBoundaryPolicies: p.permissions_boundary
      ? [{ name: p.permissions_boundary, policy: world.policies[p.permissions_boundary] }] : undefined,
    sessionPolicy: sessionNames.length ? mergedSessionPolicy(sessionNames) : undefined
  };
  const sessionKey = sessionNames.join('+');
  if (sessionNames.length && !loaded.has(`session:${sessionKey}`)) {
    loaded.set(`session:${sessionKey}`, loadPolicy(simulation.sessionPolicy, { name: sessionKey }));
  }
  const core = {
    principal: anonymous ? sim.anonymousPrincipal : req.principal,
    resource: { resource: req.resource, accountId: resourceAccount },
    action: req.action,
    context: ctx,
    wildcardOnly: wildcardOnly.get(req.action.toLowerCase()),
    input: {
      sessionPolicy: sessionNames.length ? loaded.get(`session:${sessionKey}`) : undefined,
      identityPolicies: (p.identity_policies ?? []).map(policy),
      serviceControlPolicies: loadLevels(scpLevels),
      resourceControlPolicies: loadLevels(rcpLevels).map((lv) => ({ ...lv, policies: [defaultRcp, ...lv.policies] })),
      resourcePolicy: resource?.policy ? policy(resource.policy) : undefined,
      permissionBoundaries: p.permissions_boundary ? [policy(p.permissions_boundary)] : undefined,
      vpcEndpointPolicies: undefined,
      simulationParameters,
      serviceSettings: { s3: { blockPublicAccess: undefined } }
    }
  };
  return { simulation, core };
}

const t0 = process.hrtime.bigint();
const converted = requests.map(convert);
const convertMs = Number(process.hrtime.bigint() - t0) / 1e6;
const prepared = converted.map(({ core }) => ({
  ...core.input,
  request: new AwsRequestImpl(core.principal, core.resource, core.action,
    new RequestContextImpl(core.context), core.wildcardOnly)
}));

const MAP = { Allowed: 'Allow', ExplicitlyDenied: 'ExplicitDeny', ImplicitlyDenied: 'ImplicitDeny' };
function reasons(r) {
  const out = [];
  const add = (kind, list) => {
    for (const s of list ?? []) out.push({ policy: s.policyId, kind, sid: s.statement.sid?.() ?? undefined, statement: s.statement.index?.(), effect: s.statement.effect(), principalMatch: s.principalMatch });
  };
  for (const [kind, a] of [['identity', r.identityAnalysis], ['session', r.sessionAnalysis], ['boundary', r.permissionBoundaryAnalysis], ['resource', r.resourceAnalysis]]) {
    if (!a) continue;
    add(kind, a.denyStatements);
    add(kind, a.allowStatements);
  }
  for (const [kind, a] of [['scp', r.scpAnalysis], ['rcp', r.rcpAnalysis]]) {
    for (const ou of a?.ouAnalysis ?? []) { add(kind, ou.denyStatements); }
    if (a?.ouAnalysis?.some((ou) => ou.allowStatements.length === 0)) out.push({ kind, levelWithoutAllow: true });
  }
  return out;
}

// 1. Decisions.
const out = [];
const counts = { Allow: 0, ExplicitDeny: 0, ImplicitDeny: 0, error: 0 };
for (let i = 0; i < prepared.length; i++) {
  let line;
  try {
    const r = authorize(prepared[i]);
    const d = MAP[r.result] ?? r.result;
    counts[d] = (counts[d] ?? 0) + 1;
    line = { decision: d, sameAccount: r.sameAccount, blockedBy: r.blockedBy, reasons: reasons(r) };
  } catch (e) {
    counts.error++;
    line = { error: String(e?.message ?? e) };
  }
  out.push(JSON.stringify(line));
}
fs.writeFileSync(outPath, out.join('\n') + '\n');

// 2. Throughput of the core engine (policies pre-parsed, requests pre-built).
function timeLoop(fn, n, minSeconds) {
  for (let i = 0; i < Math.min(n, 1000); i++) fn(i); // warm-up
  let done = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  do {
    for (let i = 0; i < n; i++) fn(i);
    done += n;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  } while (elapsed < minSeconds);
  return { decisions: done, seconds: elapsed, dps: done / elapsed };
}
const coreRun = timeLoop((i) => { try { authorize(prepared[i]); } catch { /* counted above */ } }, prepared.length, seconds);

// 3. Throughput of the public runSimulation API (validation and parsing per call).
const sampleN = Math.min(publicSample, converted.length);
let publicErrors = {};
let publicAgree = 0;
let publicRun;
{
  const start = process.hrtime.bigint();
  for (let i = 0; i < sampleN; i++) {
    const res = await sim.runSimulation(converted[i].simulation, { simulationMode: 'Strict' });
    if (res.resultType === 'error') {
      publicErrors[res.errors.message] = (publicErrors[res.errors.message] ?? 0) + 1;
    } else if (MAP[res.overallResult] === JSON.parse(out[i]).decision) {
      publicAgree++;
    }
  }
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  publicRun = { decisions: sampleN, seconds: s, dps: sampleN / s };
}

console.log(JSON.stringify({
  peer: '@cloud-copilot/iam-simulate',
  version: simVersion,
  requests: requests.length,
  decisions: counts,
  convert_ms: convertMs,
  core: coreRun,
  public_api: { ...publicRun, errors: publicErrors, agree_with_core: publicAgree }
}));
