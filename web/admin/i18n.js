// i18n.js - the client's two languages: one strings table each, the
// page's direction, and dates and numbers through Intl.
//
// A string is either text with {placeholders} or, when it counts
// something, an object keyed by Intl.PluralRules categories (Arabic uses
// all six: zero, one, two, few, many, other).  Numbers in placeholders
// are formatted for the language (Arabic-Indic digits in Arabic).

const STORAGE_KEY = 'commentd.admin.lang';

export const LANGS = {
  en: { name: 'English', dir: 'ltr' },
  ar: { name: 'العربية', dir: 'rtl' },
};

const en = {
  'app.title': 'commentd moderation',
  'app.skip': 'Skip to content',
  'nav.queue': 'Queue',
  'nav.articles': 'Articles',
  'nav.stats': 'Statistics',
  'nav.moderators': 'Moderators',
  'nav.rules': 'Rules',
  'nav.tokens': 'Tokens',
  'nav.label': 'Sections',
  'nav.pending': { one: '{n} pending', other: '{n} pending' },
  'lang.label': 'Language',
  'live.on': 'Live',
  'live.off': 'Reconnecting…',
  'live.title.on': 'New comments and other moderators\' decisions appear as they happen',
  'live.title.off': 'The live feed is interrupted; trying again',

  'login.title': 'Log in to moderate',
  'login.username': 'User name',
  'login.password': 'Password',
  'login.submit': 'Log in',
  'login.busy': 'Logging in…',
  'login.expired': 'Your session has ended. Log in again to continue where you left off.',
  'login.wrong': 'Wrong user name or password.',
  'login.throttled': 'Too many failed attempts. Try again in {minutes} minutes.',
  'logout': 'Log out',
  'whoami': '{name} ({role})',
  'role.admin': 'admin',
  'role.moderator': 'moderator',

  'status.pending': 'Pending',
  'status.approved': 'Approved',
  'status.rejected': 'Rejected',
  'status.spam': 'Spam',
  'status.deleted': 'Deleted',
  'status.all': 'All',
  'done.approved': 'approved',
  'done.rejected': 'rejected',
  'done.spam': 'marked as spam',
  'done.deleted': 'deleted',
  'done.pending': 'returned to the queue',
  'noun.approved': 'approved',
  'noun.rejected': 'rejected',
  'noun.spam': 'marked as spam',
  'noun.deleted': 'deleted',
  'noun.pending': 'restored',

  'action.approve': 'Approve',
  'action.reject': 'Reject',
  'action.spam': 'Spam',
  'action.delete': 'Delete',
  'action.trust': 'Approve and trust the author',
  'action.ban': 'Ban the author',
  'action.restore': 'Restore',
  'action.history': 'History',
  'action.edit': 'Edit',
  'action.select': 'Select',
  'action.undo': 'Undo',

  'filter.status': 'Status',
  'filter.article': 'Article',
  'filter.article.placeholder': 'Article key',
  'filter.search': 'Search',
  'filter.search.placeholder': 'Search text or author  ( / )',
  'filter.clear': 'Clear filters',
  'filter.reason': 'Reason',
  'filter.reason.any': 'Any reason',
  'reason.banned_word': 'Banned word',
  'reason.suspect_word': 'Suspect word',
  'reason.links': 'Links',
  'reason.duplicate_wave': 'Same text from many readers',
  'reason.banned_author': 'Banned author',
  'reason.honeypot': 'Hidden field filled (bot)',
  'reason.too_fast': 'Posted too fast (bot)',
  'reason.repeat_offender': 'Repeat offender',
  'reason.reported': 'Reported by readers',
  'filter.this-article': 'Only this article',

  'queue.label': 'Comments',
  'queue.empty.pending': 'Nothing to moderate. New comments will appear here.',
  'queue.empty': 'No comments match.',
  'queue.loading': 'Loading…',
  'queue.end': 'End of the list.',
  'queue.more': 'Load more',
  'queue.new': { one: '{n} new comment', other: '{n} new comments' },
  'queue.new.reload': { one: '{n} new: show', other: '{n} new: show' },
  'queue.selected': { zero: 'None selected', one: '{n} selected', other: '{n} selected' },
  'queue.select-all': 'Select all loaded',
  'queue.select-none': 'Clear selection',
  'queue.batch.hint': 'a, r, s, d act on the selection',

  'item.reply-to': 'Reply to {author}:',
  'item.email': 'E-mail',
  'item.ip': 'IP',
  'item.personal-hidden': 'E-mail and address: admins only',
  'item.record': 'Earlier: {approved} approved · {rejected} rejected · {spam} spam',
  'item.record.none': 'First comment',
  'item.spam-score': 'Spam score {score}',
  'item.moderated': '{status} by {actor}',
  'item.moderated.you': '{status} by you',
  'item.edited-by': 'Edited by {actor}',
  'item.no-title': '(untitled)',
  'item.open-article': 'Open the article in a new tab',
  'item.busy': 'Working…',

  'note.by-other': '“{excerpt}” was {done} by {actor}.',
  'note.by-other.short': '{done} by {actor}',
  'toast.done': {
    one: '“{excerpt}” {done}. Press u to undo.',
    other: '{n} comments {done}. Press u to undo.',
  },
  'toast.undone': {
    one: 'Undone: the comment is back in the queue.',
    other: 'Undone: {n} comments are back in the queue.',
  },
  'toast.conflict': 'Already {done} by {actor}.',
  'toast.conflict.you': 'Already {done} (by you, in another window).',
  'toast.batch-conflicts': {
    one: '{n} had already been moderated by someone else.',
    other: '{n} had already been moderated by someone else.',
  },
  'toast.nothing-to-undo': 'Nothing to undo.',
  'toast.saved': 'Saved.',
  'toast.no-current': 'No comment is selected.',

  'reason.title': 'Reject: why?',
  'reason.hint': 'Press a digit to choose, Enter to reject, Esc to cancel.',
  'reason.1': 'Off-topic',
  'reason.2': 'Insults or abuse',
  'reason.3': 'Hate speech or incitement',
  'reason.4': 'Advertising',
  'reason.5': 'Personal information',
  'reason.other': 'Other reason',
  'reason.other.placeholder': 'Type a reason',
  'reason.none': 'No reason',
  'reason.confirm': 'Reject',
  'reason.batch': { one: 'Reject {n} comment', other: 'Reject {n} comments' },

  'confirm.delete.title': 'Delete this comment?',
  'confirm.delete.batch': { one: 'Delete {n} comment?', other: 'Delete {n} comments?' },
  'confirm.delete.body': 'It disappears from the site. You can restore it from the Deleted list. ' +
    'Enter confirms, Esc cancels.',
  'confirm.yes': 'Delete',
  'cancel': 'Cancel',
  'close': 'Close',
  'save': 'Save',
  'refresh': 'Refresh',

  'history.title': 'History of comment #{id}',
  'history.empty': 'No moderation yet.',
  'history.created': 'Posted',
  'history.event': '{actor}: {action}',
  'history.move': '{from} → {to}',
  'history.reason': 'Reason: {reason}',
  'history.old-body': 'Text before the edit:',
  'history.action.approve': 'approved',
  'history.action.reject': 'rejected',
  'history.action.spam': 'marked as spam',
  'history.action.delete': 'deleted',
  'history.action.restore': 'restored',
  'history.action.edit': 'edited',
  'history.action.report': 'reported it: back to the queue',
  'history.action.flag': 'reported it: flagged for review, still published',
  'actor.readers': 'readers',
  'actor.system': 'site rules',
  'flag.reported': 'Reported by readers',
  'flag.banned_word': 'Banned word: {detail}',
  'flag.suspect_word': 'Suspect word: {detail}',
  'flag.links': { one: '{n} link', other: '{n} links' },
  'flag.duplicate_wave': 'Same text from several readers (first: #{detail})',
  'flag.banned_author': 'Banned author (ban #{detail})',
  'flag.honeypot': 'Filled in the hidden field: a bot',
  'flag.too_fast': 'Posted too soon after the form was shown',
  'flag.repeat_offender': 'Mostly rejected lately ({rejected} rejected, {spam} spam, '
    + '{approved} approved of the last decisions)',

  'edit.title': 'Edit comment #{id}',
  'edit.body': 'Text',
  'edit.reason': 'Reason for the edit (optional)',
  'edit.hint': 'Ctrl+Enter saves, Esc cancels.',

  'help.title': 'Keyboard shortcuts',
  'help.j': 'Next comment',
  'help.k': 'Previous comment',
  'help.a': 'Approve',
  'help.r': 'Reject (then a digit for the reason, Enter)',
  'help.s': 'Spam',
  'help.d': 'Delete (Enter confirms)',
  'help.p': 'Restore: back to the queue (rejected, spam, deleted or published)',
  'help.x': 'Select or unselect; a, r, s, d then act on the selection',
  'help.X': 'Select all loaded comments (Shift+X)',
  'help.esc': 'Clear the selection, leave a field',
  'help.u': 'Undo the last action',
  'help.h': 'History of the comment',
  'help.e': 'Edit the comment',
  'help.n': 'Show new comments',
  'help.slash': 'Search',
  'help.question': 'This help',

  'articles.title': 'Articles',
  'articles.search': 'Search key or title',
  'articles.key': 'Key',
  'articles.name': 'Title',
  'articles.mode': 'Mode',
  'articles.pending': 'Pending',
  'articles.approved': 'Approved',
  'articles.created': 'First comment',
  'articles.empty': 'No articles.',
  'articles.queue': 'Queue',
  'articles.settings': 'Settings',
  'mode.premoderated': 'Pre-moderated',
  'mode.postmoderated': 'Post-moderated',
  'mode.closed': 'Closed',
  'mode.premoderated.hint': 'Comments wait for a moderator before they appear.',
  'mode.postmoderated.hint': 'Comments appear at once; moderators can remove them.',
  'mode.closed.hint': 'No new comments.',
  'article.title': 'Article settings',
  'article.key': 'Key',
  'article.name': 'Title',
  'article.url': 'Address (URL)',
  'article.mode': 'Comments',
  'article.admin-only': 'Only admins can change article settings.',
  'article.back': 'All articles',
  'article.open-queue': 'Comments of this article',

  'stats.title': 'Statistics',
  'stats.queue': 'Waiting for review',
  'stats.oldest': 'Oldest pending',
  'stats.oldest.none': 'None',
  'stats.counts': 'All comments',
  'stats.today': 'Decisions today',
  'stats.moderator': 'Moderator',
  'stats.decisions': 'Decisions',
  'stats.today.none': 'No decisions yet today.',

  'rules.title': 'Site rules',
  'rules.bans': 'Bans',
  'rules.bans.none': 'No one is banned.',
  'rules.words': 'Word lists',
  'rules.words.hint': 'A banned word rejects the comment (the reader is told it awaits review, as '
    + 'always); a suspect word holds it in the queue with the word shown. Entries match whole '
    + 'words, whatever the spelling: diacritics, tatweel, letter variants, spaced-out letters and '
    + 'prefixes such as و and ال.',
  'rules.words.none': 'The lists are empty.',
  'rules.words.search': 'Search the lists',
  'rules.words.no-match': 'No entry matches.',
  'rules.words.more': 'Showing {shown} of {total} entries: search to find the others.',
  'rules.word': 'Word or phrase',
  'rules.list': 'List',
  'rules.list.banned': 'Banned',
  'rules.list.suspect': 'Suspect',
  'rules.word.add': 'Add a word',
  'rules.word.added': '“{word}” added.',
  'rules.word.confirm-remove': 'Remove “{word}” from the list?',
  'rules.remove': 'Remove',
  'rules.add': 'Add',
  'rules.by': 'By',
  'rules.since': 'Since',
  'rules.ban.add': 'Ban',
  'rules.ban.kind': 'What',
  'rules.ban.kind.ip': 'Address or block',
  'rules.ban.kind.email': 'E-mail',
  'rules.ban.kind.email_domain': 'E-mail domain',
  'rules.ban.value': 'Value',
  'rules.ban.reason': 'Reason',
  'rules.ban.expires': 'Until',
  'rules.ban.expires.optional': 'Until (empty: for good)',
  'rules.ban.forever': 'For good',
  'rules.ban.lift': 'Lift',
  'rules.ban.confirm-lift': 'Lift the ban on {value}?',
  'rules.ban.added': 'Banned: {value}.',
  'rules.ban.hidden': 'Hidden (admins only)',
  'rules.ban-author': 'Ban this author',
  'rules.ban-author.confirm': 'Ban {author}? Their e-mail is banned, or their address if they '
    + 'gave none; their comments will be stored as spam.',
  'err.duplicate_word': 'That entry is already listed (it reads the same once folded).',
  'mods.title': 'Moderators',
  'mods.name': 'Name',
  'mods.role': 'Role',
  'mods.state': 'State',
  'mods.created': 'Since',
  'mods.enabled': 'Active',
  'mods.disabled': 'Disabled',
  'mods.disable': 'Disable',
  'mods.enable': 'Enable',
  'mods.reset': 'Reset password',
  'mods.make-admin': 'Make admin',
  'mods.make-moderator': 'Make moderator',
  'mods.add': 'Add a moderator',
  'mods.add.name': 'Name (letters, digits, _ . -)',
  'mods.add.password': 'Password (leave empty to generate one)',
  'mods.add.submit': 'Add',
  'mods.you': 'you',
  'mods.password.title': 'Password for {name}',
  'mods.password.once': 'It is shown only this once. Give it to {name} over a safe channel.',
  'mods.password.set': 'Password changed for {name}.',
  'mods.added': 'Moderator {name} added.',
  'mods.confirm-reset': 'Reset the password of {name}? Their sessions end.',
  'mods.confirm-reset.yes': 'Reset',
  'mods.forbidden': 'Only admins can manage moderators.',

  'tokens.title': 'Tokens and sessions',
  'tokens.intro': 'Your API tokens (for commentctl and scripts) and your login sessions. '
    + 'Revoke any you no longer use; a new password revokes them all.',
  'tokens.intro.admin': 'Every account\'s API tokens and login sessions. Revoke any that '
    + 'should not work any more; a new password revokes all of an account\'s.',
  'tokens.moderator': 'Moderator',
  'tokens.kind': 'Kind',
  'tokens.kind.api': 'API token',
  'tokens.kind.session': 'Login session',
  'tokens.label': 'Label',
  'tokens.created': 'Created',
  'tokens.expires': 'Expires',
  'tokens.current': 'this one',
  'tokens.none': 'No live tokens or sessions.',
  'tokens.revoke': 'Revoke',
  'tokens.revoked': 'Revoked.',
  'tokens.confirm-revoke': 'Revoke “{name}” (#{id})? It stops working at once.',
  'tokens.confirm-revoke.current': 'This is the session you are using: revoking it logs you out.',
  'tokens.add': 'New API token',
  'tokens.add.label': 'Label (what it is for)',
  'tokens.add.days': 'Valid for (days)',
  'tokens.add.submit': 'Create',
  'tokens.secret.title': 'API token “{name}”',
  'tokens.secret.once': 'It is shown only this once: copy it now (COMMENTD_TOKEN for commentctl).',

  'err.network': 'The server cannot be reached. Check the connection and try again.',
  'err.unavailable': 'The database is not available right now. Try again in a moment.',
  'err.busy': 'The server is busy. Try again in a moment.',
  'err.forbidden': 'Your account may not do this (admins only).',
  'err.csrf': 'The request was refused (security token). Reload the page.',
  'err.not_found': 'It no longer exists.',
  'err.invalid_transition': 'This comment cannot go from {from} to that status; restore it first.',
  'err.parent_not_approved': 'Approve the comment this one replies to first.',
  'err.validation': 'Check the highlighted fields.',
  'err.self_lockout': 'You cannot disable or demote your own account.',
  'err.name_taken': 'A moderator with this name exists.',
  'err.session_required': 'Log in with your password to create a token (a token cannot make '
    + 'another).',
  'err.generic': 'Something went wrong ({status}): {message}',
  'field.required': 'Required.',
  'field.too_short': 'Too short.',
  'field.too_long': 'Too long.',
  'field.invalid': 'Not valid.',
  'field.invalid_type': 'Not valid.',
  'field.invalid_utf8': 'Not valid text.',
};

const ar = {
  'app.title': 'إشراف التعليقات',
  'app.skip': 'انتقل إلى المحتوى',
  'nav.queue': 'قائمة المراجعة',
  'nav.articles': 'المقالات',
  'nav.stats': 'الإحصاءات',
  'nav.moderators': 'المشرفون',
  'nav.rules': 'القواعد',
  'nav.tokens': 'رموز الدخول',
  'nav.label': 'الأقسام',
  'nav.pending': {
    zero: 'لا تعليقات بانتظار المراجعة',
    one: 'تعليق واحد بانتظار المراجعة',
    two: 'تعليقان بانتظار المراجعة',
    few: '{n} تعليقات بانتظار المراجعة',
    many: '{n} تعليقًا بانتظار المراجعة',
    other: '{n} تعليق بانتظار المراجعة',
  },
  'lang.label': 'اللغة',
  'live.on': 'مباشر',
  'live.off': 'جارٍ إعادة الاتصال…',
  'live.title.on': 'تظهر التعليقات الجديدة وقرارات المشرفين ' +
    'الآخرين فور حدوثها',
  'live.title.off': 'انقطع البث المباشر؛ جارٍ المحاولة مجددًا',

  'login.title': 'تسجيل الدخول إلى الإشراف',
  'login.username': 'اسم المستخدم',
  'login.password': 'كلمة المرور',
  'login.submit': 'دخول',
  'login.busy': 'جارٍ الدخول…',
  'login.expired': 'انتهت جلستك. سجّل الدخول مجددًا لتتابع من ' +
    'حيث توقفت.',
  'login.wrong': 'اسم المستخدم أو كلمة المرور غير صحيحة.',
  'login.throttled':
    'محاولات فاشلة كثيرة. حاول مجددًا بعد {minutes} دقيقة.',
  'logout': 'تسجيل الخروج',
  'whoami': '{name} ({role})',
  'role.admin': 'مدير',
  'role.moderator': 'مشرف',

  'status.pending': 'بانتظار المراجعة',
  'status.approved': 'منشورة',
  'status.rejected': 'مرفوضة',
  'status.spam': 'مزعجة',
  'status.deleted': 'محذوفة',
  'status.all': 'الكل',
  'done.approved': 'نُشر',
  'done.rejected': 'رُفض',
  'done.spam': 'عُلّم كمزعج',
  'done.deleted': 'حُذف',
  'done.pending': 'أُعيد إلى قائمة المراجعة',

  'action.approve': 'نشر',
  'action.reject': 'رفض',
  'action.spam': 'مزعج',
  'action.delete': 'حذف',
  'action.trust': 'نشر والثقة بالكاتب',
  'action.ban': 'حظر الكاتب',
  'action.restore': 'استعادة',
  'action.history': 'السجل',
  'action.edit': 'تعديل',
  'action.select': 'تحديد',
  'action.undo': 'تراجع',

  'filter.status': 'الحالة',
  'filter.reason': 'السبب',
  'filter.reason.any': 'أي سبب',
  'reason.banned_word': 'كلمة محظورة',
  'reason.suspect_word': 'كلمة مشبوهة',
  'reason.links': 'روابط',
  'reason.duplicate_wave': 'نص مكرر من عدة قراء',
  'reason.banned_author': 'كاتب محظور',
  'reason.honeypot': 'حقل مخفي مملوء (آلي)',
  'reason.too_fast': 'إرسال سريع جدًا (آلي)',
  'reason.repeat_offender': 'مخالف متكرر',
  'reason.reported': 'أبلغ عنه القراء',
  'filter.article': 'المقال',
  'filter.article.placeholder': 'معرّف المقال',
  'filter.search': 'بحث',
  'filter.search.placeholder': 'ابحث في النص أو اسم الكاتب  ( / )',
  'filter.clear': 'مسح عوامل التصفية',
  'filter.this-article': 'هذا المقال فقط',

  'queue.label': 'التعليقات',
  'queue.empty.pending':
    'لا شيء للمراجعة. ستظهر التعليقات الجديدة هنا.',
  'queue.empty': 'لا تعليقات مطابقة.',
  'queue.loading': 'جارٍ التحميل…',
  'queue.end': 'نهاية القائمة.',
  'queue.more': 'تحميل المزيد',
  'queue.new': {
    zero: 'لا تعليقات جديدة',
    one: 'تعليق جديد',
    two: 'تعليقان جديدان',
    few: '{n} تعليقات جديدة',
    many: '{n} تعليقًا جديدًا',
    other: '{n} تعليق جديد',
  },
  'queue.new.reload': {
    zero: 'لا جديد',
    one: 'تعليق جديد: اعرض',
    two: 'تعليقان جديدان: اعرض',
    few: '{n} تعليقات جديدة: اعرض',
    many: '{n} تعليقًا جديدًا: اعرض',
    other: '{n} تعليق جديد: اعرض',
  },
  'queue.selected': {
    zero: 'لا تحديد',
    one: 'تعليق واحد محدد',
    two: 'تعليقان محددان',
    few: '{n} تعليقات محددة',
    many: '{n} تعليقًا محددًا',
    other: '{n} تعليق محدد',
  },
  'queue.select-all': 'تحديد كل ما حُمّل',
  'queue.select-none': 'إلغاء التحديد',
  'queue.batch.hint': 'المفاتيح a وr وs وd تعمل على المحدد',

  'item.reply-to': 'ردًا على {author}:',
  'item.email': 'البريد',
  'item.ip': 'عنوان IP',
  'item.personal-hidden': 'البريد والعنوان: للمديرين فقط',
  'item.record': 'سابقًا: {approved} منشور · {rejected} مرفوض · {spam} مزعج',
  'item.record.none': 'أول تعليق',
  'item.spam-score': 'درجة الإزعاج {score}',
  'item.moderated': '{status}، بواسطة {actor}',
  'item.moderated.you': '{status}، بواسطتك',
  'item.edited-by': 'عدّله {actor}',
  'item.no-title': '(بلا عنوان)',
  'item.open-article': 'افتح المقال في لسان جديد',
  'item.busy': 'جارٍ التنفيذ…',

  'note.by-other': '«{excerpt}»: {done} بواسطة {actor}.',
  'note.by-other.short': '{done} بواسطة {actor}',
  'toast.done': {
    zero: '{done}: «{excerpt}». اضغط u للتراجع.',
    one: '{done}: «{excerpt}». اضغط u للتراجع.',
    two: 'تم {noun} تعليقين. اضغط u للتراجع.',
    few: 'تم {noun} {n} تعليقات. اضغط u للتراجع.',
    many: 'تم {noun} {n} تعليقًا. اضغط u للتراجع.',
    other: 'تم {noun} {n} تعليق. اضغط u للتراجع.',
  },
  'noun.approved': 'نشر',
  'noun.rejected': 'رفض',
  'noun.spam': 'تعليم كمزعج',
  'noun.deleted': 'حذف',
  'noun.pending': 'إعادة',
  'toast.undone': {
    zero: 'تم التراجع.',
    one: 'تم التراجع: عاد التعليق إلى قائمة المراجعة.',
    two: 'تم التراجع: عاد تعليقان إلى قائمة المراجعة.',
    few: 'تم التراجع: عادت {n} تعليقات إلى قائمة المراجعة.',
    many: 'تم التراجع: عاد {n} تعليقًا إلى قائمة المراجعة.',
    other: 'تم التراجع: عاد {n} تعليق إلى قائمة المراجعة.',
  },
  'toast.conflict': 'سبق أن {done} بواسطة {actor}.',
  'toast.conflict.you': 'سبق أن {done} (بواسطتك، في نافذة أخرى).',
  'toast.batch-conflicts': {
    zero: '',
    one: 'تعليق واحد سبق أن راجعه مشرف آخر.',
    two: 'تعليقان سبق أن راجعهما مشرف آخر.',
    few: '{n} تعليقات سبق أن راجعها مشرف آخر.',
    many: '{n} تعليقًا سبق أن راجعه مشرف آخر.',
    other: '{n} تعليق سبق أن راجعه مشرف آخر.',
  },
  'toast.nothing-to-undo': 'لا شيء للتراجع عنه.',
  'toast.saved': 'تم الحفظ.',
  'toast.no-current': 'لم يُحدَّد أي تعليق.',

  'reason.title': 'الرفض: ما السبب؟',
  'reason.hint':
    'اضغط رقمًا للاختيار، وEnter للرفض، وEsc للإلغاء.',
  'reason.1': 'خارج الموضوع',
  'reason.2': 'إساءة أو شتائم',
  'reason.3': 'خطاب كراهية أو تحريض',
  'reason.4': 'إعلان أو ترويج',
  'reason.5': 'معلومات شخصية',
  'reason.other': 'سبب آخر',
  'reason.other.placeholder': 'اكتب السبب',
  'reason.none': 'بلا سبب',
  'reason.confirm': 'رفض',
  'reason.batch': {
    zero: 'رفض',
    one: 'رفض تعليق واحد',
    two: 'رفض تعليقين',
    few: 'رفض {n} تعليقات',
    many: 'رفض {n} تعليقًا',
    other: 'رفض {n} تعليق',
  },

  'confirm.delete.title': 'حذف هذا التعليق؟',
  'confirm.delete.batch': {
    zero: 'حذف؟',
    one: 'حذف تعليق واحد؟',
    two: 'حذف تعليقين؟',
    few: 'حذف {n} تعليقات؟',
    many: 'حذف {n} تعليقًا؟',
    other: 'حذف {n} تعليق؟',
  },
  'confirm.delete.body': 'سيختفي من الموقع، ويمكن استعادته من ' +
    'قائمة المحذوفات. Enter للتأكيد، وEsc للإلغاء.',
  'confirm.yes': 'حذف',
  'cancel': 'إلغاء',
  'close': 'إغلاق',
  'save': 'حفظ',
  'refresh': 'تحديث',

  'history.title': 'سجل التعليق رقم {id}',
  'history.empty': 'لم تجرِ عليه مراجعة بعد.',
  'history.created': 'نُشر',
  'history.event': '{actor}: {action}',
  'history.move': '{from} ← {to}',
  'history.reason': 'السبب: {reason}',
  'history.old-body': 'النص قبل التعديل:',
  'history.action.approve': 'نشر',
  'history.action.reject': 'رفض',
  'history.action.spam': 'علّم كمزعج',
  'history.action.delete': 'حذف',
  'history.action.restore': 'استعاد',
  'history.action.edit': 'عدّل',
  'history.action.report': 'أبلغوا عنه: أُعيد إلى المراجعة',
  'history.action.flag': 'أبلغوا عنه: علِّم للمراجعة وبقي منشورًا',
  'actor.readers': 'القراء',
  'actor.system': 'قواعد الموقع',
  'flag.reported': 'أبلغ عنه القراء',
  'flag.banned_word': 'كلمة محظورة: {detail}',
  'flag.suspect_word': 'كلمة مشبوهة: {detail}',
  'flag.links': {
    one: 'رابط واحد', two: 'رابطان', few: '{n} روابط', many: '{n} رابطًا', other: '{n} رابط',
  },
  'flag.duplicate_wave': 'النص نفسه من عدة قراء (أولها رقم {detail})',
  'flag.banned_author': 'كاتب محظور (الحظر رقم {detail})',
  'flag.honeypot': 'ملأ الحقل المخفي: برنامج آلي',
  'flag.too_fast': 'أُرسل بعد فتح النموذج بوقت قصير جدًا',
  'flag.repeat_offender': 'رُفض أغلب ما كتبه مؤخرًا ({rejected} مرفوضة، {spam} مزعجة، '
    + '{approved} منشورة من آخر القرارات)',

  'edit.title': 'تعديل التعليق رقم {id}',
  'edit.body': 'النص',
  'edit.reason': 'سبب التعديل (اختياري)',
  'edit.hint': 'Ctrl+Enter للحفظ، وEsc للإلغاء.',

  'help.title': 'اختصارات لوحة المفاتيح',
  'help.j': 'التعليق التالي',
  'help.k': 'التعليق السابق',
  'help.a': 'نشر',
  'help.r': 'رفض (ثم رقم السبب، ثم Enter)',
  'help.s': 'مزعج',
  'help.d': 'حذف (Enter للتأكيد)',
  'help.p': 'استعادة: إعادة إلى قائمة المراجعة (المرفوضة ' +
    'والمزعجة والمحذوفة والمنشورة)',
  'help.x':
    'تحديد أو إلغاء تحديد؛ ثم تعمل a وr وs وd على المحدد',
  'help.X': 'تحديد كل التعليقات المحمّلة (Shift+X)',
  'help.esc': 'إلغاء التحديد، أو الخروج من حقل',
  'help.u': 'التراجع عن آخر إجراء',
  'help.h': 'سجل التعليق',
  'help.e': 'تعديل التعليق',
  'help.n': 'عرض التعليقات الجديدة',
  'help.slash': 'بحث',
  'help.question': 'هذه المساعدة',

  'articles.title': 'المقالات',
  'articles.search': 'ابحث في المعرّف أو العنوان',
  'articles.key': 'المعرّف',
  'articles.name': 'العنوان',
  'articles.mode': 'الوضع',
  'articles.pending': 'بانتظار المراجعة',
  'articles.approved': 'منشورة',
  'articles.created': 'أول تعليق',
  'articles.empty': 'لا مقالات.',
  'articles.queue': 'التعليقات',
  'articles.settings': 'الإعدادات',
  'mode.premoderated': 'مراجعة قبل النشر',
  'mode.postmoderated': 'نشر ثم مراجعة',
  'mode.closed': 'مغلق',
  'mode.premoderated.hint': 'ينتظر التعليق موافقة مشرف قبل ظهوره.',
  'mode.postmoderated.hint':
    'يظهر التعليق فورًا، ويمكن للمشرفين إزالته.',
  'mode.closed.hint': 'لا تعليقات جديدة.',
  'article.title': 'إعدادات المقال',
  'article.key': 'المعرّف',
  'article.name': 'العنوان',
  'article.url': 'الرابط (URL)',
  'article.mode': 'التعليقات',
  'article.admin-only': 'تغيير إعدادات المقال للمديرين فقط.',
  'article.back': 'كل المقالات',
  'article.open-queue': 'تعليقات هذا المقال',

  'stats.title': 'الإحصاءات',
  'stats.queue': 'بانتظار المراجعة',
  'stats.oldest': 'أقدم تعليق منتظر',
  'stats.oldest.none': 'لا يوجد',
  'stats.counts': 'كل التعليقات',
  'stats.today': 'قرارات اليوم',
  'stats.moderator': 'المشرف',
  'stats.decisions': 'القرارات',
  'stats.today.none': 'لا قرارات اليوم بعد.',

  'rules.title': 'قواعد الموقع',
  'rules.bans': 'الحظر',
  'rules.bans.none': 'لا أحد محظور.',
  'rules.words': 'قوائم الكلمات',
  'rules.words.hint': 'الكلمة المحظورة ترفض التعليق (ويُقال للقارئ إنه بانتظار المراجعة كالعادة)، '
    + 'والكلمة المشبوهة تبقيه في قائمة المراجعة مع إظهار الكلمة. تطابق الكلمات كاملة مهما كان '
    + 'إملاؤها: التشكيل والتطويل وصور الحروف والحروف المفرقة والسوابق مثل و وال.',
  'rules.words.none': 'القوائم فارغة.',
  'rules.words.search': 'ابحث في القوائم',
  'rules.words.no-match': 'لا يطابق البحث أي كلمة.',
  'rules.words.more': 'يظهر {shown} من {total}: ابحث لتجد البقية.',
  'rules.word': 'كلمة أو عبارة',
  'rules.list': 'القائمة',
  'rules.list.banned': 'محظورة',
  'rules.list.suspect': 'مشبوهة',
  'rules.word.add': 'إضافة كلمة',
  'rules.word.added': 'أُضيفت «{word}».',
  'rules.word.confirm-remove': 'إزالة «{word}» من القائمة؟',
  'rules.remove': 'إزالة',
  'rules.add': 'إضافة',
  'rules.by': 'بواسطة',
  'rules.since': 'منذ',
  'rules.ban.add': 'حظر',
  'rules.ban.kind': 'النوع',
  'rules.ban.kind.ip': 'عنوان أو نطاق عناوين',
  'rules.ban.kind.email': 'بريد إلكتروني',
  'rules.ban.kind.email_domain': 'نطاق بريد',
  'rules.ban.value': 'القيمة',
  'rules.ban.reason': 'السبب',
  'rules.ban.expires': 'حتى',
  'rules.ban.expires.optional': 'حتى (فارغ: دائمًا)',
  'rules.ban.forever': 'دائم',
  'rules.ban.lift': 'رفع الحظر',
  'rules.ban.confirm-lift': 'رفع الحظر عن {value}؟',
  'rules.ban.added': 'حُظر: {value}.',
  'rules.ban.hidden': 'مخفي (للمديرين فقط)',
  'rules.ban-author': 'حظر هذا الكاتب',
  'rules.ban-author.confirm': 'حظر {author}؟ يُحظر بريده، أو عنوانه إن لم يذكر بريدًا، وتُحفظ '
    + 'تعليقاته مزعجة.',
  'err.duplicate_word': 'هذه الكلمة في القائمة (تُقرأ مثلها بعد التوحيد).',
  'mods.title': 'المشرفون',
  'mods.name': 'الاسم',
  'mods.role': 'الدور',
  'mods.state': 'الحالة',
  'mods.created': 'منذ',
  'mods.enabled': 'نشط',
  'mods.disabled': 'معطّل',
  'mods.disable': 'تعطيل',
  'mods.enable': 'تفعيل',
  'mods.reset': 'إعادة تعيين كلمة المرور',
  'mods.make-admin': 'اجعله مديرًا',
  'mods.make-moderator': 'اجعله مشرفًا',
  'mods.add': 'إضافة مشرف',
  'mods.add.name': 'الاسم (حروف لاتينية وأرقام و_ . -)',
  'mods.add.password': 'كلمة المرور (اتركها فارغة لتوليد واحدة)',
  'mods.add.submit': 'إضافة',
  'mods.you': 'أنت',
  'mods.password.title': 'كلمة مرور {name}',
  'mods.password.once':
    'تظهر هذه المرة فقط. أوصلها إلى {name} بطريقة آمنة.',
  'mods.password.set': 'تغيّرت كلمة مرور {name}.',
  'mods.added': 'أُضيف المشرف {name}.',
  'mods.confirm-reset':
    'إعادة تعيين كلمة مرور {name}؟ ستنتهي جلساته.',
  'mods.confirm-reset.yes': 'إعادة التعيين',
  'mods.forbidden': 'إدارة المشرفين للمديرين فقط.',

  'tokens.title': 'رموز الدخول والجلسات',
  'tokens.intro': 'رموز الوصول البرمجي الخاصة بك (لـ commentctl والبرامج) وجلسات دخولك. '
    + 'ألغِ ما لم تعد تستخدمه؛ وتغيير كلمة المرور يلغيها كلها.',
  'tokens.intro.admin': 'رموز الوصول البرمجي وجلسات الدخول لكل الحسابات. ألغِ ما لا ينبغي '
    + 'أن يعمل بعد الآن؛ وتغيير كلمة مرور حساب يلغي كل ما له.',
  'tokens.moderator': 'المشرف',
  'tokens.kind': 'النوع',
  'tokens.kind.api': 'رمز وصول برمجي',
  'tokens.kind.session': 'جلسة دخول',
  'tokens.label': 'الوصف',
  'tokens.created': 'أُنشئ',
  'tokens.expires': 'ينتهي',
  'tokens.current': 'هذه الجلسة',
  'tokens.none': 'لا رموز ولا جلسات سارية.',
  'tokens.revoke': 'إلغاء',
  'tokens.revoked': 'أُلغي.',
  'tokens.confirm-revoke': 'إلغاء «{name}» (#{id})؟ يتوقف عن العمل فورًا.',
  'tokens.confirm-revoke.current': 'هذه هي الجلسة التي تستخدمها: إلغاؤها يُخرجك.',
  'tokens.add': 'رمز وصول برمجي جديد',
  'tokens.add.label': 'الوصف (لأي غرض)',
  'tokens.add.days': 'صالح لمدة (بالأيام)',
  'tokens.add.submit': 'إنشاء',
  'tokens.secret.title': 'رمز الوصول «{name}»',
  'tokens.secret.once': 'يظهر هذه المرة فقط: انسخه الآن (COMMENTD_TOKEN لـ commentctl).',

  'err.network': 'تعذّر الوصول إلى الخادم. تحقّق من الاتصال ' +
    'وحاول مجددًا.',
  'err.unavailable':
    'قاعدة البيانات غير متاحة الآن. حاول بعد قليل.',
  'err.busy': 'الخادم مشغول. حاول بعد قليل.',
  'err.forbidden': 'لا يسمح حسابك بهذا (للمديرين فقط).',
  'err.csrf': 'رُفض الطلب (رمز الأمان). أعد تحميل الصفحة.',
  'err.not_found': 'لم يعد موجودًا.',
  'err.invalid_transition': 'لا يمكن نقل هذا التعليق من «{from}» إلى ' +
    'تلك الحالة؛ استعده أولًا.',
  'err.parent_not_approved':
    'انشر أولًا التعليق الذي يرد عليه هذا التعليق.',
  'err.validation': 'راجع الحقول المشار إليها.',
  'err.self_lockout': 'لا يمكنك تعطيل حسابك أو خفض دوره.',
  'err.name_taken': 'يوجد مشرف بهذا الاسم.',
  'err.session_required': 'ادخل بكلمة مرورك لإنشاء رمز (لا يُنشئ رمزٌ رمزًا آخر).',
  'err.generic': 'حدث خطأ ({status}): {message}',
  'field.required': 'مطلوب.',
  'field.too_short': 'قصير جدًا.',
  'field.too_long': 'طويل جدًا.',
  'field.invalid': 'غير صالح.',
  'field.invalid_type': 'غير صالح.',
  'field.invalid_utf8': 'نص غير صالح.',
};

const TABLES = { en, ar };

let lang = pickInitial();
let plurals = new Intl.PluralRules(lang);
let numbers = new Intl.NumberFormat(lang);
let relative = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
let dates = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
const listeners = new Set();

// The stored choice, else the browser's first language we have, else
// Arabic: the site this client was made for is Arabic.
function pickInitial() {
  let stored = null;
  try { stored = localStorage.getItem(STORAGE_KEY); } catch { /* private mode */ }
  if (stored && TABLES[stored]) return stored;
  for (const l of navigator.languages || [navigator.language || '']) {
    const base = String(l).toLowerCase().split('-')[0];
    if (TABLES[base]) return base;
  }
  return 'ar';
}

export function getLang() { return lang; }

// Sets <html lang dir> for the language; the stylesheet uses logical
// properties only, so the direction alone mirrors the layout.
export function applyLang() {
  document.documentElement.lang = lang;
  document.documentElement.dir = LANGS[lang].dir;
  document.title = t('app.title');
}

export function setLang(l) {
  if (!TABLES[l] || l === lang) return;
  lang = l;
  try { localStorage.setItem(STORAGE_KEY, l); } catch { /* private mode */ }
  plurals = new Intl.PluralRules(lang);
  numbers = new Intl.NumberFormat(lang);
  relative = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  dates = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  applyLang();
  for (const fn of listeners) fn(lang);
}

export function onLangChange(fn) { listeners.add(fn); }

// t('key', {n: 3, name: 'x'}): the text in the current language; a
// plural string picks its form from vars.n.
export function t(key, vars = {}) {
  let s = TABLES[lang][key] ?? en[key];
  if (s === undefined) return key;
  if (typeof s === 'object') {
    const n = Number(vars.n ?? 0);
    // Arabic's "zero" is a category of its own; English says "other".
    s = (n === 0 && s.zero !== undefined) ? s.zero : (s[plurals.select(n)] ?? s.other);
  }
  return s.replace(/\{(\w+)\}/g, (m, name) => {
    const v = vars[name];
    if (v === undefined || v === null) return m;
    return typeof v === 'number' ? numbers.format(v) : String(v);
  });
}

// Like t(), but as nodes: each placeholder's value is its own <bdi>, so
// an Arabic name inside an English sentence (or the other way round)
// keeps its own direction and cannot reorder the sentence around it.
export function tNodes(key, vars = {}) {
  const frag = document.createDocumentFragment();
  const marked = {};
  for (const [k, v] of Object.entries(vars)) marked[k] = k === 'n' ? v : `\u0001${k}\u0001`;
  const parts = t(key, marked).split('\u0001');
  parts.forEach((part, i) => {
    if (i % 2 === 0) {
      if (part) frag.append(part);
    } else {
      const b = document.createElement('bdi');
      const v = vars[part];
      b.textContent = typeof v === 'number' ? numbers.format(v) : String(v ?? '');
      frag.append(b);
    }
  });
  return frag;
}

export function fmtNumber(n) { return numbers.format(n); }

export function fmtDate(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : dates.format(d);
}

// "3 minutes ago" in the current language, in the largest unit that
// fits.
export function fmtAge(iso, now = Date.now()) {
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return '';
  return fmtSeconds(Math.round((then - now) / 1000));
}

export function fmtSeconds(s) {
  const abs = Math.abs(s);
  if (abs < 45) return relative.format(0, 'second');
  if (abs < 45 * 60) return relative.format(Math.round(s / 60), 'minute');
  if (abs < 22 * 3600) return relative.format(Math.round(s / 3600), 'hour');
  if (abs < 26 * 86400) return relative.format(Math.round(s / 86400), 'day');
  if (abs < 320 * 86400) return relative.format(Math.round(s / (30 * 86400)), 'month');
  return relative.format(Math.round(s / (365 * 86400)), 'year');
}

// Who did something, for people: "readers" is the server's name for
// readers' reports sending a comment back to the queue, "system" for
// the site's rules holding or refusing a comment.
export function actorName(actor) {
  if (actor === 'readers') return t('actor.readers');
  if (actor === 'system') return t('actor.system');
  return actor || '?';
}

// A reason code's words with its detail (the item's flag_details[flag]:
// the matched word, a count, a comment or ban id, an author's record), or
// the code itself when it has no words here.
export function flagText(flag, details) {
  const d = details?.[flag];
  const vars = d !== null && typeof d === 'object' ? { ...d }
    : { detail: d ?? '', n: typeof d === 'number' ? d : 0 };
  const s = t('flag.' + flag, vars);
  return s === 'flag.' + flag ? flag : s;
}

// A short excerpt of a comment for notes and toasts.
export function excerpt(text, max = 60) {
  const s = String(text ?? '').replace(/\s+/g, ' ').trim();
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}
