// A real OpenID Provider for the sign-in tests: the certified `oidc-provider` package, with a
// plain sign-in form, test users read from a JSON file on every request (so a test can change
// their groups), and one test-only switch that makes the token endpoint misbehave.
//
//   node oidc_provider.mjs CONFIG.json
//
// CONFIG: {"port", "issuer", "accounts": "accounts.json", "client": {client_id, client_secret,
// redirect_uris, post_logout_redirect_uris}}. accounts.json: {"login": {"password", "email",
// "name", "groups": [...]}}. Prints "ready" when it listens.
import { readFileSync } from 'node:fs';

import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = () => JSON.parse(readFileSync(config.accounts, 'utf8'));
const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// The provider's signing key, and another with the same key id (for a forged signature).
const signing = await generateKeyPair('RS256', { extractable: true });
const forger = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(signing.privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };

// How the next ID tokens are spoiled: null (not at all), or one of the keys below.
let misbehaviour = null;
const SPOIL = {
  // azp names the client, so only the audience check itself can refuse these two
  wrong_audience: (claims) => ({ ...claims, aud: 'somebody-else', azp: claims.aud }),
  extra_audience: (claims) => ({ ...claims, aud: [claims.aud, 'somebody-else'], azp: claims.aud }),
  expired: (claims) => ({ ...claims, iat: claims.iat - 7200, exp: claims.iat - 3600 }),
  bad_nonce: (claims) => ({ ...claims, nonce: 'not-the-nonce-that-was-sent' }),
  wrong_issuer: (claims) => ({ ...claims, iss: 'https://impostor.example.org' }),
  bad_signature: (claims) => claims,
};

async function spoil(idToken) {
  const header = decodeProtectedHeader(idToken);
  const claims = SPOIL[misbehaviour](decodeJwt(idToken));
  const key = misbehaviour === 'bad_signature' ? forger.privateKey : signing.privateKey;
  return new SignJWT(claims).setProtectedHeader(header).sign(key);
}

const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>${escape(title)}</title></head><body><h1>${escape(title)}</h1>${body}</body></html>`;

const provider = new Provider(config.issuer, {
  clients: [config.client],
  jwks: { keys: [jwk] },
  cookies: { keys: ['oidc-test-cookie-key'] },
  pkce: { required: () => true },
  conformIdTokenClaims: false, // the scope's claims (groups too) go into the ID token
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = page('Sign out', `${form}<button type="submit" form="op.logoutForm"
          name="logout" value="yes">Yes, sign me out</button>`);
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.body = page('Signed out', '<p>You are signed out of the provider.</p>');
      },
    },
  },
  async findAccount(ctx, id) {
    const account = accounts()[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims(use) {
        // Like some providers, groups only in userinfo when the account says so.
        const groups = account.groups_in_userinfo_only && use !== 'userinfo' ? undefined : account.groups;
        return {
          sub: id, email: account.email, email_verified: true, name: account.name, groups,
        };
      },
    };
  },
  async loadExistingGrant(ctx) {
    // A first-party application: consent is given by the organisation, not asked each time.
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = page('Error', `<p>${escape(out.error)}: ${escape(out.error_description)}</p>`);
  },
});

async function body(ctx) {
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginForm(uid, error = '') {
  return page('Sign in to the test provider', `${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}">
<label>Login <input name="login" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form>`);
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test__/misbehave' && ctx.method === 'POST') {
    const mode = (await body(ctx)).get('mode') || null;
    if (mode !== null && !(mode in SPOIL)) ctx.throw(400, `unknown mode ${mode}`);
    misbehaviour = mode;
    ctx.body = { misbehaviour };
    return;
  }
  const interaction = ctx.path.match(/^\/interaction\/([^/]+)$/);
  if (interaction) {
    const uid = interaction[1];
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== uid) ctx.throw(400, 'interaction mismatch');
    if (ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = loginForm(uid);
      return;
    }
    const form = await body(ctx);
    const account = accounts()[form.get('login')];
    if (!account || account.password !== form.get('password')) {
      ctx.type = 'html';
      ctx.body = loginForm(uid, 'Wrong login or password');
      return;
    }
    const returnTo = await provider.interactionResult(
      ctx.req, ctx.res, { login: { accountId: form.get('login') } },
      { mergeWithLastSubmission: false },
    );
    ctx.redirect(returnTo);
    return;
  }
  await next();
  if (ctx.path === '/token' && misbehaviour && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: await spoil(ctx.body.id_token) };
  }
});

provider.listen(config.port, '127.0.0.1', () => {
  process.stdout.write('ready\n');
});
