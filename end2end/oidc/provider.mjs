// A test OpenID Connect provider for the browser suite: oidc-provider on a free port of
// 127.0.0.1, with one confidential client (the portal) and test people of the two demo tenants.
// Its ID tokens carry what Entra ID puts there: `tid`, `oid`, `roles`, `preferred_username`,
// `email`, `name`.
//
// Run by global-setup.ts, or by hand against a portal of your own:
//   OIDC_REDIRECT_URI=http://127.0.0.1:3000/auth/oidc/callback node oidc/provider.mjs
// Environment:
//   OIDC_REDIRECT_URI   the portal's callback (required; several may be given, comma-separated)
//   OIDC_PORT           port to listen on (default 0: a free one)
//   OIDC_CLIENT_ID      default portal-e2e
//   OIDC_CLIENT_SECRET  default portal-e2e-secret
// It prints `oidc provider listening on http://127.0.0.1:PORT` (the issuer) once it accepts
// connections, and stops on SIGTERM or SIGINT.
//
// Sign-in page (replacing oidc-provider's development pages, whose markup is not a stable
// interface): a "Username" field taking a test person's username, a "Sign in" button, and a
// "Cancel" button that answers the portal with error=access_denied. There is no consent page:
// the portal is treated as a first-party application whose consent an administrator gave, as in
// Entra ID.
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import Provider from "oidc-provider";

const CONTOSO = "11111111-2222-3333-4444-555555555555";
const FABRIKAM = "22222222-3333-4444-5555-666666666666";

// Each person's `oid` is their directory user's object id in the demo directory, as in Entra ID,
// so the portal links end users to their directory user by it (never by name or e-mail).
// Usernames are the people's UPNs. Display names are in the "Last, First" form many Entra
// tenants use; that also tells these accounts apart from the demo accounts of the same people,
// which live in the same database during a run. Roles are the portal's own role names, which
// the portal's default role map grants (an Entra ID deployment maps its app-role values).
export const ACCOUNTS = [
  { sub: "e2e-contoso-admin", tid: CONTOSO, oid: "a1b2c3d4-0005-4000-8000-000000000005", username: "megan.bowen@contoso.com", name: "Bowen, Megan", roles: ["tenant_admin"] },
  { sub: "e2e-contoso-reviewer", tid: CONTOSO, oid: "a1b2c3d4-0006-4000-8000-000000000006", username: "lee.gu@contoso.com", name: "Gu, Lee", roles: ["support_reviewer"] },
  { sub: "e2e-contoso-auditor", tid: CONTOSO, oid: "a1b2c3d4-0007-4000-8000-000000000007", username: "irvin.sayers@contoso.com", name: "Sayers, Irvin", roles: ["auditor"] },
  { sub: "e2e-contoso-adele", tid: CONTOSO, oid: "a1b2c3d4-0001-4000-8000-000000000001", username: "adele.vance@contoso.com", name: "Vance, Adele", roles: ["end_user"] },
  { sub: "e2e-fabrikam-admin", tid: FABRIKAM, oid: "b1b2c3d4-0001-4000-8000-000000000001", username: "alex.wilber@fabrikam.com", name: "Wilber, Alex", roles: ["tenant_admin"] },
];

/**
 * Starts the provider.
 * @param {{ redirectUris: string[], port?: number, clientId?: string, clientSecret?: string }} options
 * @returns {Promise<{ issuer: string, close: () => Promise<void> }>}
 */
export async function startProvider({ redirectUris, port = 0, clientId = "portal-e2e", clientSecret = "portal-e2e-secret" }) {
  if (!redirectUris?.length) throw new Error("the portal's redirect URI is required");
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const issuer = `http://127.0.0.1:${server.address().port}`;

  const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [{ ...signingKey, kid: randomUUID(), use: "sig", alg: "RS256" }] },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    adapter: MemoryStore,
    // Seconds; set so the provider does not ask for them on every run.
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    // `tid` and `roles` come with the openid scope, as Entra ID always sends them; and with
    // conformIdTokenClaims off, the claims of the granted scopes go into the ID token itself,
    // not only to the userinfo endpoint (the portal reads the ID token only).
    claims: {
      openid: ["sub", "tid", "oid", "roles"],
      profile: ["name", "preferred_username"],
      email: ["email", "email_verified"],
    },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const account = ACCOUNTS.find((a) => a.sub === sub);
      if (!account) return undefined;
      return {
        accountId: account.sub,
        async claims() {
          return {
            sub: account.sub,
            tid: account.tid,
            oid: account.oid,
            roles: account.roles,
            name: account.name,
            preferred_username: account.username,
            email: account.username,
            email_verified: true,
          };
        },
      };
    },
    // The portal is first-party: whatever it asks for is granted without a consent page, as
    // after an administrator's consent in Entra ID.
    async loadExistingGrant(ctx) {
      const { client, session, result, provider: self } = ctx.oidc;
      const grantId = result?.consent?.grantId || session.grantIdFor(client.clientId);
      const grant =
        (grantId && (await self.Grant.find(grantId))) || new self.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(" "));
      await grant.save();
      return grant;
    },
    async renderError(ctx, out) {
      ctx.type = "html";
      ctx.body = page("Sign-in error", `<h1>Sign-in error</h1><pre>${escape(JSON.stringify(out, null, 2))}</pre>`);
    },
  });

  const oidc = provider.callback();
  server.on("request", (req, res) => {
    const match = req.url.match(/^\/interaction\/([\w-]+)(?:\/(login|abort))?\/?(?:\?.*)?$/);
    if (!match) return oidc(req, res);
    interaction(provider, req, res, match[2]).catch((error) => {
      res.statusCode = 400;
      res.setHeader("content-type", "text/html; charset=utf-8");
      res.end(page("Sign-in error", `<h1>Sign-in error</h1><p>${escape(error.message)}</p>`));
    });
  });

  return {
    issuer,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Keeps the provider's sessions, grants and codes in this process: they last one run. */
const stored = new Map();
class MemoryStore {
  constructor(model) {
    this.model = model;
  }
  key(id) {
    return `${this.model}:${id}`;
  }
  async upsert(id, payload) {
    stored.set(this.key(id), payload);
    if (this.model === "Session") stored.set(`SessionUid:${payload.uid}`, id);
  }
  async find(id) {
    return stored.get(this.key(id));
  }
  async findByUid(uid) {
    const id = stored.get(`SessionUid:${uid}`);
    return id === undefined ? undefined : this.find(id);
  }
  async findByUserCode() {
    return undefined;
  }
  async consume(id) {
    const payload = stored.get(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id) {
    stored.delete(this.key(id));
  }
  async revokeByGrantId(grantId) {
    for (const [key, payload] of stored) {
      if (payload?.grantId === grantId && !key.startsWith("Grant:")) stored.delete(key);
    }
  }
}

/** The sign-in page of one interaction and its two answers. */
async function interaction(provider, req, res, action) {
  const details = await provider.interactionDetails(req, res);
  const base = `/interaction/${details.uid}`;
  if (req.method === "GET" && !action) {
    if (details.prompt.name !== "login") {
      throw new Error(`unexpected prompt ${details.prompt.name}`);
    }
    return send(res, loginPage(base));
  }
  if (req.method !== "POST") throw new Error("method not allowed");
  if (action === "abort") {
    return provider.interactionFinished(
      req,
      res,
      { error: "access_denied", error_description: "The person cancelled the sign-in." },
      { mergeWithLastSubmission: false },
    );
  }
  const form = new URLSearchParams(await body(req));
  const username = (form.get("login") ?? "").trim().toLowerCase();
  const account = ACCOUNTS.find((a) => a.username === username);
  if (!account) {
    res.statusCode = 200;
    return send(res, loginPage(base, `No test person has the username “${username}”.`));
  }
  return provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
}

function loginPage(base, error) {
  const people = ACCOUNTS.map((a) => `<li><code>${escape(a.username)}</code> ${escape(a.name)}: ${escape(a.roles.join(", "))}</li>`).join("");
  return page(
    "Test identity provider",
    `<h1>Test identity provider</h1>
    ${error ? `<p role="alert">${escape(error)}</p>` : ""}
    <form method="post" action="${base}/login">
      <label for="login">Username</label>
      <input id="login" name="login" autocomplete="off" autofocus required>
      <button type="submit">Sign in</button>
    </form>
    <form method="post" action="${base}/abort"><button type="submit">Cancel</button></form>
    <h2>Test people</h2><ul>${people}</ul>`,
  );
}

function page(title, content) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body>${content}</body></html>`;
}

function send(res, html) {
  res.setHeader("content-type", "text/html; charset=utf-8");
  res.setHeader("cache-control", "no-store");
  res.end(html);
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function body(req) {
  let data = "";
  for await (const chunk of req) {
    data += chunk;
    if (data.length > 10_000) throw new Error("request body too large");
  }
  return data;
}

// Run as a program (not when imported).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const redirectUris = (process.env.OIDC_REDIRECT_URI ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  if (!redirectUris.length) {
    console.error("OIDC_REDIRECT_URI (the portal's /auth/oidc/callback URL) is required");
    process.exit(2);
  }
  const { issuer, close } = await startProvider({
    redirectUris,
    port: Number(process.env.OIDC_PORT ?? 0),
    clientId: process.env.OIDC_CLIENT_ID || undefined,
    clientSecret: process.env.OIDC_CLIENT_SECRET || undefined,
  });
  console.log(`oidc provider listening on ${issuer}`);
  // Nothing here outlives the process, so there is nothing to wait for.
  const stop = () => {
    close();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
