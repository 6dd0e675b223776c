/*
 * commentd embed widget.  A page includes
 *
 *   <script src="https://comments.example/embed.js" defer></script>
 *   <div data-commentd-article="KEY"></div>
 *   <a href="/news/KEY#comments" data-commentd-count="KEY"></a>
 *
 * Every [data-commentd-article] gets the article's approved comments,
 * a form, replies and reports; every [data-commentd-count] link gets
 * "N comments" (one /api/v1/counts request per page).  No dependencies,
 * no cookies (credentials: "omit"), no tracking.  User text only ever
 * reaches the page through textContent and DOM APIs, never as markup.
 */
(function () {
	"use strict";

	if (window.commentd)
		return;	/* included twice */

	var SCRIPT = document.currentScript;
	var DEFAULT_API = (SCRIPT && SCRIPT.getAttribute("data-commentd-api")) ||
	    (SCRIPT && SCRIPT.src ? new URL(SCRIPT.src, location.href).origin :
	    location.origin);
	var OWN_DAYS = 60;	/* forget a pending comment's token after */
	var seq = 0;

	/* One table per language; "#" in a plural form is the number. */
	var STRINGS = {
		ar: {
			dir: "rtl",
			heading: "التعليقات",
			count: { zero: "لا تعليقات", one: "تعليق واحد",
			    two: "تعليقان", few: "# تعليقات", many: "# تعليقًا",
			    other: "# تعليق" },
			empty: "لا توجد تعليقات بعد. كن أول من يعلّق.",
			closed: "التعليقات مغلقة على هذا المقال.",
			formTitle: "أضف تعليقًا",
			author: "الاسم",
			email: "البريد الإلكتروني",
			emailHint: "اختياري، لا يُنشر",
			body: "التعليق",
			send: "أرسل التعليق",
			sendReply: "أرسل الرد",
			sending: "جارٍ الإرسال…",
			cancel: "إلغاء",
			reply: "ردّ",
			replyTo: "الرد على ",
			report: "إبلاغ",
			reportAsk: "إبلاغ المشرفين عن هذا التعليق؟",
			reportYes: "نعم، أبلغ",
			reported: "شكرًا، سيراجع المشرفون هذا التعليق.",
			gone: "لم يعد هذا التعليق منشورًا.",
			pending: "بانتظار المراجعة",
			more: "المزيد من التعليقات",
			loadError: "تعذّر تحميل التعليقات.",
			retry: "أعد المحاولة",
			netError: "تعذّر الإرسال. تحقّق من الاتصال وأعد المحاولة.",
			failed: "تعذّر الإرسال، أعد المحاولة بعد قليل.",
			notice: "تم أضافة تعليقك سوف يظهر بعد المراجعة",
			published: "تم نشر تعليقك",
			/* "بعد" + the wait: plural forms of Intl.PluralRules. */
			limited: "أرسلت كثيرًا في وقت قصير. يمكنك الإرسال مجددًا " +
			    "بعد #.",
			seconds: { one: "ثانية واحدة", two: "ثانيتين",
			    few: "# ثوانٍ", many: "# ثانية", other: "# ثانية" },
			minutes: { one: "دقيقة واحدة", two: "دقيقتين",
			    few: "# دقائق", many: "# دقيقة", other: "# دقيقة" },
			duplicate: "سبق أن أرسلت هذا التعليق.",
			err: {
				required: "هذا الحقل مطلوب.",
				too_short: "النص قصير جدًا.",
				too_long: "النص أطول من المسموح.",
				invalid: "القيمة غير صالحة.",
				email: "أدخل بريدًا إلكترونيًا صحيحًا.",
				not_found: "لم يعد التعليق الذي تردّ عليه متاحًا.",
				other: "القيمة غير مقبولة."
			}
		},
		en: {
			dir: "ltr",
			heading: "Comments",
			count: { zero: "No comments", one: "1 comment",
			    other: "# comments" },
			empty: "No comments yet. Be the first to comment.",
			closed: "Comments are closed on this article.",
			formTitle: "Add a comment",
			author: "Name",
			email: "E-mail",
			emailHint: "optional, never shown",
			body: "Comment",
			send: "Post comment",
			sendReply: "Post reply",
			sending: "Sending…",
			cancel: "Cancel",
			reply: "Reply",
			replyTo: "Reply to ",
			report: "Report",
			reportAsk: "Report this comment to the moderators?",
			reportYes: "Yes, report",
			reported: "Thanks, the moderators will review this comment.",
			gone: "This comment is no longer published.",
			pending: "Awaiting review",
			more: "More comments",
			loadError: "The comments could not be loaded.",
			retry: "Try again",
			netError: "Not sent: check your connection and try again.",
			failed: "Not sent: please try again in a moment.",
			notice: "Your comment was added and will appear after review.",
			published: "Your comment has been published.",
			limited: "You have sent too much in a short time. You can " +
			    "send again in #.",
			seconds: { one: "1 second", other: "# seconds" },
			minutes: { one: "1 minute", other: "# minutes" },
			duplicate: "You have already posted this comment.",
			err: {
				required: "This field is required.",
				too_short: "This is too short.",
				too_long: "This is too long.",
				invalid: "This value is not valid.",
				email: "Enter a valid e-mail address.",
				not_found: "The comment you reply to is no longer available.",
				other: "This value is not accepted."
			}
		}
	};

	/* -- small helpers ------------------------------------------------ */

	/* An element; attrs: text (textContent), on* (listeners), others
	 * as attributes (null/false: left out). */
	function h(tag, attrs) {
		var e = document.createElement(tag), k, v, i;

		for (k in attrs || {}) {
			v = attrs[k];
			if (v == null || v === false)
				continue;
			if (k === "text")
				e.textContent = v;
			else if (k.slice(0, 2) === "on")
				e.addEventListener(k.slice(2), v);
			else
				e.setAttribute(k, v === true ? "" : v);
		}
		for (i = 2; i < arguments.length; i++)
			if (arguments[i] != null)
				e.append(arguments[i]);
		return e;
	}

	function strings(lang) {
		var t = STRINGS[String(lang).toLowerCase().split("-")[0]];

		return t ? { s: t, lang: lang } : { s: STRINGS.en, lang: "en" };
	}

	function langOf(el) {
		var l = el.getAttribute("data-commentd-lang") ||
		    (SCRIPT && SCRIPT.getAttribute("data-commentd-lang"));
		var c = el.closest("[lang]");

		return l || (c && c.lang) || navigator.language || "en";
	}

	/* The article's title and address for the moderators, from
	 * data-commentd-title and -url (made absolute; http(s) only). */
	function pageTitle(el) {
		var t = (el.getAttribute("data-commentd-title") || "").trim();

		return Array.from(t).slice(0, 300).join("") || null;
	}

	function pageUrl(el) {
		var u = el.getAttribute("data-commentd-url");

		try {
			u = u ? new URL(u, location.href) : null;
		} catch (e) {
			u = null;
		}
		return u && /^https?:$/.test(u.protocol) ? u.href : null;
	}

	function apiOf(el) {
		var a = el.getAttribute("data-commentd-api") || DEFAULT_API;

		return new URL(a, location.href).href.replace(/\/+$/, "");
	}

	/* "N comments" (forms: s.count, ...) in lang, with its plural
	 * rules. */
	function plural(forms, lang, n) {
		var form = n === 0 && forms.zero ? "zero" :
		    new Intl.PluralRules(lang).select(n);
		var t = forms[form] || forms.other;

		return t.replace("#", new Intl.NumberFormat(lang).format(n));
	}

	/* When a 429'd reader may send again: from error.retry_after (a
	 * cross-origin page cannot read Retry-After), in seconds under a
	 * minute, else in whole minutes. */
	function limitedText(w, r) {
		var e = r.json && r.json.error, secs = Math.max(1, Math.ceil(
		    Number(e && e.retry_after) || r.retry || 60));
		var wait = secs < 60 ? plural(w.s.seconds, w.lang, secs) :
		    plural(w.s.minutes, w.lang, Math.ceil(secs / 60));

		return w.s.limited.replace("#", wait);
	}

	function randomKey() {
		var b = new Uint8Array(16);

		crypto.getRandomValues(b);
		return Array.prototype.map.call(b, function (x) {
			return (x + 256).toString(16).slice(1);
		}).join("");
	}

	/* One API call: {status, json}; rejects on a network error only. */
	function call(api, method, path, body, headers) {
		var init = { method: method, headers: headers || {},
		    credentials: "omit", cache: method === "GET" ? "no-cache" :
		    "no-store" };

		if (body !== undefined) {
			init.headers["Content-Type"] = "application/json";
			init.body = JSON.stringify(body);
		}
		return fetch(api + "/api/v1" + path, init).then(function (res) {
			return res.text().then(function (t) {
				var j = null;

				try { j = JSON.parse(t); } catch (e) { /* not JSON */ }
				return { status: res.status, json: j,
				    retry: Number(res.headers.get("Retry-After")) };
			});
		});
	}

	/* -- dates and bodies --------------------------------------------- */

	var STEPS = [[60, "second"], [3600, "minute"], [86400, "hour"],
	    [604800, "day"]];

	function timeEl(w, iso) {
		var d = new Date(iso), t = h("time", { datetime: iso });
		var secs = Math.max(0, (Date.now() - d) / 1000), i, unit = 1;

		if (isNaN(d))
			return t;
		t.title = new Intl.DateTimeFormat(w.lang, { dateStyle: "full",
		    timeStyle: "short" }).format(d);
		for (i = 0; i < STEPS.length; i++) {
			if (secs < STEPS[i][0]) {
				t.textContent = new Intl.RelativeTimeFormat(w.lang,
				    { numeric: "auto" }).format(
				    -Math.floor(secs / unit), STEPS[i][1]);
				return t;
			}
			unit = STEPS[i][0];
		}
		t.textContent = new Intl.DateTimeFormat(w.lang,
		    { dateStyle: "medium" }).format(d);
		return t;
	}

	var LINK = /\bhttps?:\/\/[^\s<>"]+/gi;
	var TRAIL = /[.,;:!?'"\u060C\u061B\u061F\u00BB\u201D\u2019]+$/;

	/* Text into parent, http(s) links as <a>: DOM only, no markup. */
	function linkify(parent, text) {
		var last = 0, m, u, url;

		LINK.lastIndex = 0;
		while ((m = LINK.exec(text)) !== null) {
			u = m[0].replace(TRAIL, "");
			/* A closing parenthesis belongs to the link only when
			 * the link opened one. */
			while (/\)$/.test(u) && u.split("(").length <=
			    u.split(")").length - 1)
				u = u.slice(0, -1).replace(TRAIL, "");
			LINK.lastIndex = m.index + u.length;
			try {
				url = new URL(u);
			} catch (e) {
				continue;
			}
			if (!/^https?:$/.test(url.protocol))
				continue;
			parent.append(text.slice(last, m.index),
			    h("a", { href: url.href, rel: "nofollow ugc noopener",
			    target: "_blank", text: u }));
			last = m.index + u.length;
		}
		parent.append(text.slice(last));
	}

	/* Paragraphs on blank lines; single newlines kept by CSS. */
	function bodyEl(text) {
		var d = h("div", { "class": "commentd-body" });

		String(text).split(/\n[ \t]*\n/).forEach(function (para) {
			var p;

			if (para.trim() === "")
				return;
			p = h("p", { dir: "auto" });
			linkify(p, para.replace(/^\n+|\n+$/g, ""));
			d.append(p);
		});
		return d;
	}

	/* -- own comments: submitter tokens in localStorage ---------------- */

	function ownKey(w) {
		return "commentd:own:" + w.api + "|" + w.article;
	}

	function ownGet(w) {
		var l;

		try {
			l = JSON.parse(localStorage.getItem(ownKey(w)));
		} catch (e) {
			l = null;
		}
		return Array.isArray(l) ? l.filter(function (o) {
			return o && o.id && o.token &&
			    Date.now() - o.at < OWN_DAYS * 864e5;
		}) : [];
	}

	function ownSet(w, l) {
		try {
			if (l.length)
				localStorage.setItem(ownKey(w), JSON.stringify(l));
			else
				localStorage.removeItem(ownKey(w));
		} catch (e) { /* storage off: pending comments show once */ }
	}

	function ownAdd(w, id, token) {
		var l = ownGet(w).filter(function (o) { return o.id !== id; });

		l.push({ id: id, token: token, at: Date.now() });
		ownSet(w, l.slice(-50));
	}

	function ownForget(w, id) {
		ownSet(w, ownGet(w).filter(function (o) { return o.id !== id; }));
	}

	/*
	 * The reader's own comments and their status now: pending ones to
	 * show marked, approved ones to show once (then the public list has
	 * them), anything else forgotten.  Errors keep the token.
	 */
	function ownCheck(w) {
		return Promise.all(ownGet(w).map(function (o) {
			return call(w.api, "GET", "/comments/" + o.id, undefined,
			    { "X-Submitter-Token": o.token }).then(function (r) {
				var c = r.json && r.json.comment;

				if (r.status === 200 && c && c.status === "pending")
					return c;
				if (r.status === 200 && c && c.status === "approved") {
					ownForget(w, o.id);
					return c;
				}
				if (r.status === 200 || r.status === 404)
					ownForget(w, o.id);
				return null;
			}, function () { return null; });
		})).then(function (l) { return l.filter(Boolean); });
	}

	/* -- comments ----------------------------------------------------- */

	function commentEl(w, c) {
		var pending = c.status === "pending";
		var status = h("p", { "class": "commentd-status", role: "status",
		    "aria-live": "polite" });
		var tools = h("div", { "class": "commentd-tools" });
		var li = h("li", { "class": "commentd-comment" +
		    (pending ? " commentd-pending" : ""), "data-id": c.id,
		    /* The anchor #commentd-c-ID, unless another widget of
		     * the same article on the page has it. */
		    id: w.byId[c.id] || !document.getElementById("commentd-c-" +
		    c.id) ? "commentd-c-" + c.id : null },
		    h("article", { "class": "commentd-c" },
			h("header", { "class": "commentd-meta" },
			    h("span", { "class": "commentd-author", dir: "auto",
			    text: c.author }), " ", timeEl(w, c.created_at),
			    pending ? h("span", { "class": "commentd-badge",
			    text: w.s.pending }) : null),
			bodyEl(c.body), tools, status),
		    h("ol", { "class": "commentd-replies" }));

		if (!pending) {
			if (!w.closed)
				tools.append(h("button", { type: "button",
				    "class": "commentd-link commentd-reply",
				    "aria-expanded": "false", text: w.s.reply,
				    onclick: function (e) {
					toggleReply(w, li, c, e.currentTarget);
				    } }));
			tools.append(h("button", { type: "button",
			    "class": "commentd-link commentd-report",
			    text: w.s.report, onclick: function () {
				askReport(w, c, tools, status);
			    } }));
		}
		w.byId[c.id] = li;
		(c.replies || []).forEach(function (r) {
			li.lastChild.append(commentEl(w, r));
		});
		return li;
	}

	/*
	 * Puts a comment in its place: under its parent (replies oldest
	 * first), or at the top level where new comments go.  One element
	 * per id: a comment shown earlier is replaced.
	 */
	function place(w, c, own) {
		var old = w.byId[c.id], parent = c.parent_id &&
		    w.byId[c.parent_id], li = commentEl(w, c);

		if (old) {
			old.replaceWith(li);
		} else if (parent) {
			parent.lastChild.append(li);
		} else if (own && w.order === "newest") {
			w.list.prepend(li);
		} else {
			w.list.append(li);
			if (own)
				w.extra.push(li);
		}
		w.empty.hidden = true;
		return li;
	}

	/* Appends a page's threads (before own extras, in oldest order). */
	function addPage(w, comments) {
		comments.forEach(function (c) {
			var old = w.byId[c.id], li = commentEl(w, c);

			if (old)
				old.remove();	/* shown early: now in its place */
			w.list.insertBefore(li, w.extra.filter(function (e) {
				return e.parentNode === w.list;
			})[0] || null);
		});
	}

	function setHeading(w) {
		w.heading.textContent = w.total > 0 ?
		    plural(w.s.count, w.lang, w.total) : w.s.heading;
		w.empty.hidden = w.list.childElementCount > 0;
	}

	function loadPage(w) {
		var q = "?order=" + w.order + (w.limit ? "&limit=" + w.limit :
		    "") + (w.next ? "&cursor=" + encodeURIComponent(w.next) : "");

		return call(w.api, "GET", "/articles/" +
		    encodeURIComponent(w.article) + "/comments" + q).then(
		    function (r) {
			if (r.status === 404)	/* never commented */
				return { comments: [], total: 0, next: null };
			if (r.status !== 200 || !r.json)
				throw new Error("HTTP " + r.status);
			return r.json;
		});
	}

	function showPage(w, page) {
		w.total = page.total || 0;
		w.next = page.next || null;
		if (page.article && page.article.mode === "closed" && !w.closed) {
			w.closed = true;
			w.form.replaceWith(h("p", { "class": "commentd-closed",
			    text: w.s.closed }));
		}
		addPage(w, page.comments || []);
		w.more.hidden = !w.next;
		setHeading(w);
	}

	function loadMore(w) {
		var n = w.list.childElementCount;

		w.more.disabled = true;
		loadPage(w).then(function (page) {
			var first;

			showPage(w, page);
			w.more.disabled = false;
			/* The button went away: focus the first new thread. */
			if (w.more.hidden && (first = w.list.children[n])) {
				first.tabIndex = -1;
				first.focus();
			}
		}, function () {
			w.more.disabled = false;
			w.status.textContent = w.s.loadError;
		});
	}

	/* -- posting ------------------------------------------------------ */

	function field(w, form, name, label, type, extra) {
		var id = "commentd-" + (++seq);
		var input = h(type === "textarea" ? "textarea" : "input", extra);
		var err = h("p", { "class": "commentd-error", id: id + "-err",
		    hidden: true });

		input.id = id;
		input.name = name;
		if (type !== "textarea")
			input.type = type;
		input.dir = "auto";
		form.fields[name] = { input: input, err: err };
		return h("div", { "class": "commentd-field commentd-f-" + name },
		    h("label", { "for": id, text: label }), input, err);
	}

	/*
	 * The honeypot: a field people never see nor reach (off-screen,
	 * hidden from assistive technology, out of the tab order, never
	 * autofilled).  A bot that fills every input fills it too, and the
	 * server knows the comment for what it is.
	 */
	function honeypot(form) {
		var id = "commentd-" + (++seq);

		form.hp = h("input", { id: id, type: "text", name: "website",
		    tabindex: "-1", autocomplete: "off" });
		return h("div", { "class": "commentd-hp", "aria-hidden": "true" },
		    h("label", { "for": id, text: "Website" }), form.hp);
	}

	function formEl(w, parent) {
		var form = h("form", { "class": "commentd-form", novalidate: true });
		var button = h("button", { type: "submit", "class":
		    "commentd-send", text: parent ? w.s.sendReply : w.s.send });
		var actions = h("div", { "class": "commentd-actions" }, button);

		form.fields = {};
		form.button = button;
		form.status = h("p", { "class": "commentd-status", role: "status",
		    "aria-live": "polite" });
		form.append(
		    h("div", { "class": "commentd-who" },
			field(w, form, "author", w.s.author, "text",
			    { autocomplete: "name", required: true }),
			field(w, form, "email", w.s.email + " (" + w.s.emailHint +
			    ")", "email", { autocomplete: "email" })),
		    field(w, form, "body", parent ? w.s.replyTo +
			parent.author : w.s.body, "textarea",
			{ rows: parent ? "3" : "4", required: true }),
		    honeypot(form), actions, form.status);
		form.shown = Date.now();
		/* A changed comment is a new submission: a new key. */
		form.addEventListener("input", function () { form.key = null; });
		form.addEventListener("submit", function (e) {
			e.preventDefault();
			submit(w, form, parent);
		});
		return form;
	}

	function clearErrors(form) {
		Object.keys(form.fields).forEach(function (n) {
			var f = form.fields[n];

			f.err.hidden = true;
			f.err.textContent = "";
			f.input.removeAttribute("aria-invalid");
			f.input.removeAttribute("aria-describedby");
		});
	}

	/* Shows a 422's field codes beside their fields; true if any. */
	function showErrors(w, form, fields) {
		var first = null;

		Object.keys(fields || {}).forEach(function (n) {
			var f = form.fields[n], code = fields[n];

			if (!f)
				return;
			/* Only white space is too short: say it is missing. */
			if (code === "too_short" && f.input.value.trim() === "")
				code = "required";
			f.err.textContent = (n === "email" && code === "invalid" ?
			    w.s.err.email : w.s.err[code]) || w.s.err.other;
			f.err.hidden = false;
			f.input.setAttribute("aria-invalid", "true");
			f.input.setAttribute("aria-describedby", f.err.id);
			first = first || f.input;
		});
		if (first)
			first.focus();
		return first !== null;
	}

	function busy(w, form, on) {
		form.busy = on;
		form.button.disabled = on;
		form.button.textContent = on ? w.s.sending :
		    (form.parent ? w.s.sendReply : w.s.send);
		form.setAttribute("aria-busy", on ? "true" : "false");
	}

	function submit(w, form, parent) {
		var F = form.fields, body = { author: F.author.input.value,
		    body: F.body.input.value };

		if (form.busy)
			return;
		form.parent = parent;
		if (F.email.input.value.trim() !== "")
			body.email = F.email.input.value.trim();
		if (parent)
			body.parent_id = parent.id;
		if (w.title)
			body.article_title = w.title;
		if (w.url)
			body.article_url = w.url;
		body.website = form.hp.value;
		body.form_ms = Math.max(0, Date.now() - form.shown);
		/* Kept across a failed try: a retry cannot make a second
		 * comment. */
		form.key = form.key || randomKey();
		clearErrors(form);
		form.status.textContent = "";
		busy(w, form, true);
		call(w.api, "POST", "/articles/" + encodeURIComponent(w.article) +
		    "/comments", body, { "Idempotency-Key": form.key,
		    "Accept-Language": w.lang }).then(function (r) {
			var j = r.json || {}, c = j.comment, li;

			busy(w, form, false);
			if ((r.status === 201 || r.status === 202) && c) {
				form.key = null;
				if (r.status === 202)
					ownAdd(w, c.id, j.submitter_token);
				else
					w.total++;
				li = place(w, c, true);
				setHeading(w);
				F.body.input.value = "";
				if (parent) {
					/* The reply form goes; its notice stays
					 * beside the parent. */
					closeReply(w, false);
					parentStatus(w, parent, j.notice ||
					    (r.status === 201 ? w.s.published :
					    w.s.notice));
				} else {
					form.status.textContent = j.notice ||
					    (r.status === 201 ? w.s.published :
					    w.s.notice);
				}
				li.classList.add("commentd-new");
				return;
			}
			if (r.status === 422 && j.error &&
			    showErrors(w, form, j.error.fields))
				return;
			if (r.status === 429) {
				form.status.textContent = limitedText(w, r);
				return;
			}
			if (r.status === 409 && j.error &&
			    j.error.code === "duplicate") {
				form.status.textContent = w.s.duplicate;
				return;
			}
			if (r.status === 403 && j.error &&
			    j.error.code === "article_closed") {
				form.status.textContent = w.s.closed;
				return;
			}
			if (r.status === 422 && j.error && j.error.fields &&
			    j.error.fields.parent_id) {
				form.status.textContent = w.s.err.not_found;
				return;
			}
			form.status.textContent = w.s.failed;
		}, function () {
			busy(w, form, false);
			form.status.textContent = w.s.netError;
		});
	}

	function parentStatus(w, c, text) {
		var li = w.byId[c.id], st = li &&
		    li.querySelector(".commentd-c > .commentd-status");

		if (st)
			st.textContent = text;
	}

	/* -- replies and reports ------------------------------------------ */

	function closeReply(w, refocus) {
		var r = w.reply;

		if (!r)
			return;
		w.reply = null;
		r.form.remove();
		r.button.setAttribute("aria-expanded", "false");
		if (refocus)
			r.button.focus();
	}

	function toggleReply(w, li, c, button) {
		var open = w.reply && w.reply.button === button, form;

		closeReply(w, open);
		if (open)
			return;
		form = formEl(w, c);
		form.classList.add("commentd-reply-form");
		form.querySelector(".commentd-actions").append(h("button", {
		    type: "button", "class": "commentd-cancel", text: w.s.cancel,
		    onclick: function () { closeReply(w, true); } }));
		form.addEventListener("keydown", function (e) {
			if (e.key === "Escape")
				closeReply(w, true);
		});
		/* Name and e-mail as in the main form, if typed there. */
		["author", "email"].forEach(function (n) {
			form.fields[n].input.value = w.form.fields ?
			    w.form.fields[n].input.value : "";
		});
		li.firstChild.after(form);
		w.reply = { form: form, button: button };
		button.setAttribute("aria-expanded", "true");
		(form.fields.author.input.value ? form.fields.body.input :
		    form.fields.author.input).focus();
	}

	function askReport(w, c, tools, status) {
		var yes, no, qid = "commentd-" + (++seq), box = h("div",
		    { "class": "commentd-confirm", role: "group",
		    "aria-labelledby": qid },
		    h("span", { id: qid, text: w.s.reportAsk }), " ",
		    yes = h("button", { type: "button", "class": "commentd-yes",
			text: w.s.reportYes }), " ",
		    no = h("button", { type: "button", text: w.s.cancel }));
		var button = tools.querySelector(".commentd-report");

		button.hidden = true;
		tools.append(box);
		no.onclick = function () {
			box.remove();
			button.hidden = false;
			button.focus();
		};
		box.onkeydown = function (e) {
			if (e.key === "Escape" && !no.disabled)
				no.onclick();
		};
		yes.onclick = function () {
			yes.disabled = no.disabled = true;
			call(w.api, "POST", "/comments/" + c.id + "/reports", {},
			    { "Accept-Language": w.lang }).then(function (r) {
				box.remove();
				if (r.status === 200 || r.status === 202) {
					status.textContent = (r.json &&
					    r.json.notice) || w.s.reported;
					button.remove();
				} else {
					status.textContent = r.status === 404 ?
					    w.s.gone : r.status === 429 ?
					    limitedText(w, r) : w.s.failed;
					button.hidden = r.status === 404;
				}
			}, function () {
				box.remove();
				button.hidden = false;
				status.textContent = w.s.netError;
			});
		};
		yes.focus();
	}

	/* -- one widget per [data-commentd-article] ------------------------ */

	var cssLoaded = {};

	function linkCss(api) {
		if (cssLoaded[api])
			return;
		cssLoaded[api] = true;
		document.head.append(h("link", { rel: "stylesheet",
		    href: api + "/embed.css" }));
	}

	function mount(el) {
		var l = strings(langOf(el)), hid = "commentd-" + (++seq);
		var order = el.getAttribute("data-commentd-order");
		var w = {
			el: el, s: l.s, lang: l.lang, api: apiOf(el),
			article: el.getAttribute("data-commentd-article"),
			order: order === "newest" ? "newest" : "oldest",
			limit: parseInt(el.getAttribute("data-commentd-limit"),
			    10) || 0,
			byId: {}, extra: [], total: 0, next: null,
			title: pageTitle(el), url: pageUrl(el)
		};

		el.setAttribute("data-commentd-state", "loading");
		linkCss(w.api);
		w.heading = h("h2", { "class": "commentd-heading", id: hid,
		    text: w.s.heading });
		w.form = formEl(w, null);
		w.list = h("ol", { "class": "commentd-list" });
		w.empty = h("p", { "class": "commentd-empty", text: w.s.empty,
		    hidden: true });
		w.status = h("p", { "class": "commentd-status", role: "status",
		    "aria-live": "polite" });
		w.more = h("button", { type: "button", "class": "commentd-more",
		    text: w.s.more, hidden: true,
		    onclick: function () { loadMore(w); } });
		w.root = h("section", { "class": "commentd", lang: w.lang,
		    dir: w.s.dir, "aria-labelledby": hid, "aria-busy": "true" },
		    w.heading, w.form, w.status, w.list, w.empty, w.more);
		/* Whatever the page put there (the no-JS fragment) goes. */
		el.replaceChildren(w.root);
		start(w);
	}

	function start(w) {
		Promise.all([loadPage(w), ownCheck(w)]).then(function (r) {
			showPage(w, r[0]);
			r[1].forEach(function (c) {
				if (!w.byId[c.id])
					place(w, c, true);
			});
			setHeading(w);
			w.root.setAttribute("aria-busy", "false");
			w.el.setAttribute("data-commentd-state", "ready");
		}, function () {
			w.root.setAttribute("aria-busy", "false");
			w.el.setAttribute("data-commentd-state", "error");
			w.status.replaceChildren(w.s.loadError, " ",
			    h("button", { type: "button", "class": "commentd-link",
			    text: w.s.retry, onclick: function () {
				w.status.textContent = "";
				start(w);
			    } }));
		});
	}

	/* -- counts: one request per API for every link on the page -------- */

	function counts(links) {
		var byApi = {};

		links.forEach(function (a) {
			var api;

			try {
				api = apiOf(a);
			} catch (e) {
				return;	/* a bad data-commentd-api */
			}
			(byApi[api] = byApi[api] || []).push(a);
		});
		Object.keys(byApi).forEach(function (api) {
			var els = byApi[api], keys = [], i;

			els.forEach(function (a) {
				var k = a.getAttribute("data-commentd-count");

				if (k && keys.indexOf(k) < 0)
					keys.push(k);
			});
			/* The server takes up to 100 keys a request. */
			for (i = 0; i < keys.length; i += 100)
				fillCounts(api, keys.slice(i, i + 100), els);
		});
	}

	function fillCounts(api, keys, els) {
		call(api, "GET", "/counts?" + keys.map(function (k) {
			return "article=" + encodeURIComponent(k);
		}).join("&")).then(function (r) {
			var c = r.status === 200 && r.json && r.json.counts;

			els.forEach(function (a) {
				var k = a.getAttribute("data-commentd-count"), l;

				if (!c || typeof c[k] !== "number")
					return;
				l = strings(langOf(a));
				a.textContent = plural(l.s.count, l.lang, c[k]);
				a.setAttribute("data-commentd-n", c[k]);
			});
		}, function () { /* the links keep their own text */ });
	}

	function scan() {
		var links = [];

		document.querySelectorAll("[data-commentd-article]").forEach(
		    function (el) {
			/* Not one inside another's place (a no-JS fragment in
			 * the container): that one went with its mount. */
			if (!el.isConnected ||
			    el.hasAttribute("data-commentd-state"))
				return;
			try {
				mount(el);
			} catch (e) {	/* a bad data-commentd-api: this one only */
				el.setAttribute("data-commentd-state", "error");
			}
		});
		document.querySelectorAll("[data-commentd-count]").forEach(
		    function (a) {
			if (!a.hasAttribute("data-commentd-n"))
				links.push(a);
		});
		if (links.length)
			counts(links);
	}

	/* For pages that add containers later: window.commentd.scan(). */
	window.commentd = { scan: scan };
	if (document.readyState === "loading")
		document.addEventListener("DOMContentLoaded", scan);
	else
		scan();
})();
