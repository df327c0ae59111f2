/**
 * The account pages' Eta templates. Eta escapes every `<%= %>` output (autoEscape); `<%~ %>`
 * (raw) is used only for the layout's body and for included templates, whose own output is
 * escaped. They live in a module rather than in `.eta` files so that the build output (`dist`)
 * is all the server needs.
 */

/** Every page: the document, the header and the main landmark. `it.body` is the page. */
const LAYOUT = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><%= it.title %> · <%= it.site %></title>
<link rel="stylesheet" href="<%= it.base %>/static/account.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site">
<a class="brand" href="<%= it.base %>"><%= it.site %></a>
<% if (it.signedIn) { %>
<nav aria-label="Account">
<ul>
<li><a href="<%= it.base %>/profile">Profile</a></li>
<li><a href="<%= it.base %>/password">Change password</a></li>
</ul>
</nav>
<% } %>
</header>
<main id="main" tabindex="-1">
<h1><%= it.title %></h1>
<% if (it.notice) { %><p class="notice" role="status"><%= it.notice %></p><% } %>
<% if (it.error) { %>
<div class="error-summary" role="alert" id="error-summary">
<p><%= it.error.message %></p>
</div>
<% } %>
<%~ it.body %>
</main>
</body>
</html>
`;

/**
 * One form. Each field: `name`, `label`, `type`, `autocomplete`, optional `value`, `hint`,
 * `inputmode`, `error` (its message, tied to the input with aria-describedby) and `focus`.
 */
const FORM = `<form method="post" action="<%= it.action %>" novalidate>
<input type="hidden" name="_csrf" value="<%= it.csrfToken %>">
<% (it.fields || []).forEach(function (field) { %>
<div class="field">
<label for="<%= field.name %>"><%= field.label %></label>
<% if (field.hint) { %><p class="hint" id="<%= field.name %>-hint"><%= field.hint %></p><% } %>
<% if (field.error) { %><p class="field-error" id="<%= field.name %>-error"><%= field.error %></p><% } %>
<input id="<%= field.name %>" name="<%= field.name %>" type="<%= field.type %>"
 autocomplete="<%= field.autocomplete %>"<% if (field.inputmode) { %> inputmode="<%= field.inputmode %>"<% } %>
 <% if (field.value !== undefined) { %>value="<%= field.value %>"<% } %> required
 <% if (field.error) { %>aria-invalid="true"<% } %>
 <% if (field.hint || field.error) { %>aria-describedby="<%= [field.hint ? field.name + '-hint' : '', field.error ? field.name + '-error' : ''].join(' ').trim() %>"<% } %>
 <% if (field.focus) { %>autofocus<% } %>>
</div>
<% }) %>
<button type="submit" class="<%= it.buttonClass || 'primary' %>"><%= it.submit %></button>
</form>
`;

/** Links under a page's forms. */
const LINKS = `<% if (it.links && it.links.length > 0) { %>
<ul class="links">
<% it.links.forEach(function (link) { %><li><a href="<%= link.href %>"><%= link.text %></a></li><% }) %>
</ul>
<% } %>`;

/** A page with one form: sign-in, sign-up, codes, passwords. */
const FORM_PAGE = `<% layout('@layout') %>
<% if (it.intro) { %><p><%= it.intro %></p><% } %>
<%~ include('@form', it.form) %>
<% (it.extraForms || []).forEach(function (form) { %><%~ include('@form', form) %><% }) %>
<%~ include('@links', it) %>
`;

/** Adding an authenticator app: the QR code, the secret to type by hand, and the first code. */
const ENROL_PAGE = `<% layout('@layout') %>
<p>Scan this QR code with an authenticator app (or type the key below into it), then enter the six-digit code the app shows.</p>
<figure class="qr">
<img src="<%= it.enrolment.qrCode %>" width="200" height="200" alt="QR code of the authenticator key for <%= it.account %>">
<figcaption>Key: <code class="secret"><%= it.enrolment.secret %></code></figcaption>
</figure>
<%~ include('@form', it.form) %>
<%~ include('@links', it) %>
`;

/** The signed-in user as the pool knows them, and what they can do. */
const PROFILE_PAGE = `<% layout('@layout') %>
<dl class="profile">
<dt>Email</dt><dd><%= it.profile.email %><%= it.profile.emailVerified ? ' (verified)' : ' (not verified)' %></dd>
<dt>Name</dt><dd><%= it.profile.name === null ? '—' : it.profile.name %></dd>
<dt>User id (sub)</dt><dd><code><%= it.profile.sub %></code></dd>
<dt>Multi-factor sign-in</dt><dd><%= it.profile.mfaEnabled ? 'On (authenticator app)' : 'Off' %></dd>
<dt>Groups</dt><dd><%= it.profile.groups.length > 0 ? it.profile.groups.join(', ') : 'none' %></dd>
</dl>
<% if (it.resourceApi) { %>
<section aria-labelledby="resource-heading">
<h2 id="resource-heading">Resource API</h2>
<p>Calls the resource-server's <code>GET /users/me</code> with this session's access token.</p>
<%~ include('@form', it.resourceForm) %>
<% if (it.resourceAnswer) { %>
<p role="status" id="resource-status">The resource API answered <%= it.resourceAnswer.status %>.</p>
<pre class="answer" aria-labelledby="resource-status"><%= it.resourceAnswer.body %></pre>
<% } %>
</section>
<% } %>
<% if (it.mfaForm) { %>
<section aria-labelledby="mfa-heading">
<h2 id="mfa-heading">Multi-factor sign-in</h2>
<p>Add an authenticator app: every sign-in then asks for its code.</p>
<%~ include('@form', it.mfaForm) %>
</section>
<% } %>
<section aria-labelledby="signout-heading">
<h2 id="signout-heading">Sign out</h2>
<%~ include('@form', it.signOutForm) %>
<%~ include('@form', it.signOutEverywhereForm) %>
</section>
`;

/** A page that only says something: signed out, a refused form, an error. */
const MESSAGE_PAGE = `<% layout('@layout') %>
<% if (it.message) { %><p><%= it.message %></p><% } %>
<%~ include('@links', it) %>
`;

export const TEMPLATES = {
  '@layout': LAYOUT,
  '@form': FORM,
  '@links': LINKS,
  '@form-page': FORM_PAGE,
  '@enrol-page': ENROL_PAGE,
  '@profile-page': PROFILE_PAGE,
  '@message-page': MESSAGE_PAGE,
} as const;

export type TemplateName = '@form-page' | '@enrol-page' | '@profile-page' | '@message-page';
