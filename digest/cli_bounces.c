/*
 * cli_bounces.c - `digest bounces MAILDIR`: reads the mailbox that bounces
 * come back to, records each hard bounce against the delivery it names
 * (so that days of bounces switch a subscriber off as refusals do), and
 * moves what it handled aside into MAILDIR/.digest-handled, a Maildir++
 * folder that a mail reader shows.  What it cannot read, or cannot tie
 * to a delivery, stays where it is for a person to look at.
 */
#include "cli_commands.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "mail_bounce.h"
#include "state.h"
#include "util.h"
#include "verp.h"

/* Where handled messages go: a Maildir++ folder inside MAILDIR. */
#define HANDLED_FOLDER ".digest-handled"

enum { OPT_DRY_RUN };

static const struct cli_option options[] = {
    {"dry-run", NULL,
     "Reads every message and says what it would record, but records "
     "nothing and moves nothing."},
    {NULL, NULL, NULL}};

static const struct cli_usage usage = {
    "bounces",
    "[--dry-run] MAILDIR",
    "Reads the messages in the Maildir MAILDIR (new/ and cur/) that came "
    "back to the envelope sender: delivery status notifications (RFC "
    "3464), qmail's bounces and mailer daemons' messages that quote an "
    "SMTP error.  A hard bounce (a permanent failure, 5.x.x) marks the "
    "digest it names as bounced, found through the VERP address of "
    "[provider] bounce_domain or else through the failed recipient, and "
    "counts as a day of permanent failure: after [mail] deactivate_after "
    "such days the subscriber is switched off.  A soft bounce (a delay, "
    "4.x.x) is only counted.  Every message handled is moved into "
    "MAILDIR/.digest-handled; what is no bounce digest understands, or "
    "names no delivery of its own, stays where it is.",
    options,
    1,
    1};

struct bounce_run {
	struct cli *cli;
	struct state *state;
	const char *maildir;
	int dry_run;
	/* What became of the messages. */
	size_t recorded, already, soft;
	size_t unmatched, not_bounces, unreadable, sending;
	/* What failed: the exit code's business. */
	int state_failed, move_failed, read_failed;
};

/* Makes directory, which may exist already; 0 or -1 (errno). */
static int
make_directory(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

/* Creates MAILDIR/.digest-handled with cur, new and tmp. */
static int
make_handled_folder(const char *maildir)
{
	static const char *const parts[] = {"", "/cur", "/new", "/tmp"};
	char *path;
	int fd;

	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		path = xasprintf("%s/" HANDLED_FOLDER "%s", maildir, parts[i]);
		if (make_directory(path) < 0) {
			cli_warn("bounces: cannot create %s: %s", path,
				 strerror(errno));
			free(path);
			return EX_CANTCREAT;
		}
		free(path);
	}
	/* Maildir++ marks a folder so; readers show it without it too. */
	path = xasprintf("%s/" HANDLED_FOLDER "/maildirfolder", maildir);
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	free(path);
	return EX_OK;
}

/* Whether MAILDIR has the cur/ and new/ of a Maildir. */
static int
check_maildir(const char *maildir)
{
	static const char *const parts[] = {"cur", "new"};
	struct stat info;
	char *path;

	for (size_t i = 0; i < 2; i++) {
		path = xasprintf("%s/%s", maildir, parts[i]);
		errno = 0;
		if (stat(path, &info) < 0 || !S_ISDIR(info.st_mode)) {
			cli_warn("bounces: %s: not a Maildir (%s: %s)", maildir,
				 path,
				 errno ? strerror(errno) : "not a directory");
			free(path);
			return EX_NOINPUT;
		}
		free(path);
	}
	return EX_OK;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The names of the messages in directory, sorted: regular files whose
 * names do not start with a dot.  Returns a NULL-terminated array (free
 * each, then the array), or NULL when the directory cannot be read.
 */
static char **
list_messages(const char *directory)
{
	DIR *dir = opendir(directory);
	struct dirent *entry;
	char **names = NULL;
	size_t count = 0;
	struct stat info;

	if (dir == NULL)
		return NULL;
	names = xcalloc(1, sizeof *names);
	while ((entry = readdir(dir)) != NULL) {
		if (entry->d_name[0] == '.' ||
		    fstatat(dirfd(dir), entry->d_name, &info,
			    AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(info.st_mode))
			continue;
		names = xreallocarray(names, count + 2, sizeof *names);
		names[count++] = xstrdup(entry->d_name);
		names[count] = NULL;
	}
	closedir(dir);
	qsort(names, count, sizeof *names, compare_names);
	return names;
}

/*
 * Finds whose digest of which day the bounce is about: the VERP address
 * it was delivered to names both; else the failed recipient the report
 * names, and their delivery with the returned Message-ID (or their
 * newest).  Returns 1 with *email_out (free()) and date_out, 0 when
 * nothing ties it to a delivery, -1 when the store failed.
 */
static int
find_delivery(struct bounce_run *run, const struct mail_bounce *bounce,
	      char **email_out, char date_out[11])
{
	const struct config *config = run->cli->config;
	char *errstr = NULL;

	for (size_t i = 0; i < bounce->addressed_count; i++)
		for (size_t p = 0; p < config->provider_count; p++)
			if (config->providers[p].bounce_domain != NULL &&
			    verp_decode(bounce->addressed_to[i],
					config->providers[p].bounce_domain,
					email_out, date_out) == 0)
				return 1;
	if (bounce->recipient == NULL)
		return 0;
	if (state_delivery_find(run->state, bounce->recipient,
				bounce->original_message_id, date_out,
				&errstr) != STATE_OK) {
		cli_warn("%s", errstr);
		free(errstr);
		run->state_failed = 1;
		return -1;
	}
	if (date_out[0] == '\0')
		return 0;
	*email_out = xstrdup(bounce->recipient);
	return 1;
}

/* Moves MAILDIR/folder/name into the handled folder, atomically. */
static void
move_aside(struct bounce_run *run, const char *folder, const char *name)
{
	char *from = xasprintf("%s/%s/%s", run->maildir, folder, name);
	char *to = xasprintf("%s/" HANDLED_FOLDER "/%s/%s", run->maildir,
			     folder, name);

	/* Gone already: another run took it, which is as good. */
	if (rename(from, to) < 0 && errno != ENOENT) {
		cli_warn("bounces: cannot move %s to %s: %s", from, to,
			 strerror(errno));
		run->move_failed = 1;
	}
	free(from);
	free(to);
}

/* Prints the line of a recorded bounce: whose, which day, why. */
static void
print_recorded(const char *email, const char *date, const char *reason,
	       const struct delivery_bounce *result, long deactivate_after,
	       int dry_run)
{
	printf("%s: the digest of %s %s", email, date, reason);
	if (dry_run)
		printf(" (dry run: not recorded)");
	else if (result->counted)
		printf("; permanent failures on %ld day%s in a row",
		       result->failure_days,
		       result->failure_days == 1 ? "" : "s");
	if (result->deactivated)
		printf("; switched off after %ld days (digest subscribers set "
		       "%s --active yes switches them on again)",
		       deactivate_after, email);
	putchar('\n');
}

/* What state_delivery_bounced() would make of it, changing nothing. */
static enum state_status
dry_run_outcome(struct bounce_run *run, const char *email, const char *date,
		struct delivery_bounce *result_out, char **errstr_out)
{
	struct delivery entry;
	enum state_status status;

	status =
	    state_delivery_get(run->state, email, date, &entry, errstr_out);
	if (status == STATE_OK && entry.state == DELIVERY_NONE)
		status = STATE_ENOTFOUND;
	if (entry.state == DELIVERY_SENDING)
		result_out->outcome = DELIVERY_BOUNCE_PENDING;
	else if (entry.state == DELIVERY_BOUNCED ||
		 entry.state == DELIVERY_PERM_FAILED)
		result_out->outcome = DELIVERY_BOUNCE_ALREADY;
	state_delivery_clear(&entry);
	return status;
}

/*
 * Records a hard bounce of email's digest of date.  Returns 1 when the
 * message is handled (recorded now or before), 0 when it stays.
 */
static int
record_hard(struct bounce_run *run, const char *shown, const char *email,
	    const char *date, const char *reason)
{
	struct delivery_bounce result = {0};
	char *errstr = NULL;
	enum state_status status;

	if (run->dry_run)
		status = dry_run_outcome(run, email, date, &result, &errstr);
	else
		status =
		    state_delivery_bounced(run->state, email, date, reason,
					   run->cli->config->deactivate_after,
					   time(NULL), &result, &errstr);
	if (status == STATE_ENOTFOUND) {
		cli_warn("bounces: %s: names %s on %s, but digest sent them "
			 "nothing that day; left in place",
			 shown, email, date);
		run->unmatched++;
	} else if (status != STATE_OK) {
		cli_warn("%s", errstr);
		run->state_failed = 1;
	} else if (result.outcome == DELIVERY_BOUNCE_PENDING) {
		cli_warn("bounces: %s: the digest of %s to %s is still being "
			 "sent; left for the next run",
			 shown, date, email);
		run->sending++;
	} else if (result.outcome == DELIVERY_BOUNCE_ALREADY) {
		run->already++;
	} else {
		print_recorded(email, date, reason, &result,
			       run->cli->config->deactivate_after,
			       run->dry_run);
		run->recorded++;
	}
	free(errstr);
	return status == STATE_OK && result.outcome != DELIVERY_BOUNCE_PENDING;
}

/*
 * What a bounce's line and journal entry say: "bounced (DSN): " and its
 * status (unless the reason quotes it) and reason.  Returns a new string
 * (free()).
 */
static char *
bounce_reason(const struct mail_bounce *bounce)
{
	const char *reason =
	    bounce->reason ? bounce->reason : "no reason given";
	int quoted = bounce->status && strstr(reason, bounce->status);

	return xasprintf("bounced (%s): %s%s%s",
			 mail_bounce_format_name(bounce->format),
			 bounce->status && !quoted ? bounce->status : "",
			 bounce->status && !quoted ? " " : "", reason);
}

/* Handles a message that parsed: returns 1 when it may be moved aside. */
static int
handle_bounce(struct bounce_run *run, const char *shown,
	      const struct mail_bounce *bounce)
{
	char *email = NULL, *reason;
	char date[11] = "";
	int found, handled = 0;

	if (bounce->kind == MAIL_BOUNCE_NONE) {
		cli_warn("bounces: %s: not a bounce digest understands; left "
			 "in place",
			 shown);
		run->not_bounces++;
		return 0;
	}
	if (bounce->kind == MAIL_BOUNCE_SOFT) {
		/* A delay or a failure that may pass: nothing to record. */
		run->soft++;
		return 1;
	}
	found = find_delivery(run, bounce, &email, date);
	if (found == 0) {
		cli_warn("bounces: %s: a bounce (%s) that names no delivery "
			 "of digest's; left in place",
			 shown,
			 bounce->recipient ? bounce->recipient
					   : "no recipient named");
		run->unmatched++;
	} else if (found > 0) {
		reason = bounce_reason(bounce);
		handled = record_hard(run, shown, email, date, reason);
		free(reason);
	}
	free(email);
	return handled;
}

/* Reads, understands and records one message of MAILDIR/folder. */
static void
handle_message(struct bounce_run *run, const char *folder, const char *name)
{
	char *path = xasprintf("%s/%s/%s", run->maildir, folder, name);
	char *shown = util_quote(path);
	struct mail_bounce bounce;
	char *data = NULL, *errstr = NULL;
	size_t size = 0;

	if (util_read_file(path, MAIL_BOUNCE_SIZE_MAX, &data, &size) < 0) {
		int error = errno;

		cli_warn("bounces: %s: %s; left in place", shown,
			 error == EFBIG ? "too large to be a bounce"
					: strerror(error));
		run->unreadable++;
		/* Too large is the message's fault; the rest is the host's. */
		if (error != EFBIG)
			run->read_failed = 1;
	} else if (mail_bounce_parse(data, size, &bounce, &errstr) !=
		   MAIL_BOUNCE_OK) {
		cli_warn("bounces: %s: %s; left in place", shown, errstr);
		run->unreadable++;
	} else {
		if (handle_bounce(run, shown, &bounce) && !run->dry_run)
			move_aside(run, folder, name);
		mail_bounce_clear(&bounce);
	}
	free(errstr);
	free(data);
	free(shown);
	free(path);
}

/* Handles every message of MAILDIR/folder, until the store fails. */
static void
handle_folder(struct bounce_run *run, const char *folder)
{
	char *directory = xasprintf("%s/%s", run->maildir, folder);
	char **names = list_messages(directory);

	if (names == NULL) {
		cli_warn("bounces: cannot read %s: %s", directory,
			 strerror(errno));
		run->read_failed = 1;
	}
	for (size_t i = 0; names && names[i]; i++) {
		if (!run->state_failed)
			handle_message(run, folder, names[i]);
		free(names[i]);
	}
	free(names);
	free(directory);
}

static int
exit_code(const struct bounce_run *run)
{
	if (run->state_failed)
		return EX_IOERR;
	if (run->move_failed)
		return EX_CANTCREAT;
	if (run->read_failed)
		return EX_NOINPUT;
	return EX_OK;
}

static void
print_summary(const struct bounce_run *run)
{
	printf("%s%s: recorded %zu, already recorded %zu, soft %zu, left in "
	       "place %zu (no delivery of digest's %zu, not bounces %zu, "
	       "unreadable %zu, still being sent %zu)\n",
	       run->dry_run ? "dry run (nothing recorded or moved) " : "",
	       run->maildir, run->recorded, run->already, run->soft,
	       run->unmatched + run->not_bounces + run->unreadable +
		   run->sending,
	       run->unmatched, run->not_bounces, run->unreadable, run->sending);
}

/* Everything after the options and the configuration. */
static int
run_bounces(struct bounce_run *run)
{
	const struct config *config = run->cli->config;
	int code;

	if ((code = check_maildir(run->maildir)) != EX_OK)
		return code;
	/* Reading bounces must not create the database. */
	if ((code = cli_open_state(config, 1, &run->state)) != EX_OK)
		return code;
	if (!run->dry_run &&
	    (code = make_handled_folder(run->maildir)) != EX_OK)
		return code;
	handle_folder(run, "new");
	handle_folder(run, "cur");
	print_summary(run);
	code = cli_finish_output();
	return code != EX_OK ? code : exit_code(run);
}

int
cli_bounces_main(struct cli *cli, int argc, char **argv)
{
	struct bounce_run run = {0};
	struct cli_args args;
	int code;

	code = cli_parse_args(&usage, argc, argv, &args);
	if (code == CLI_HELP_SHOWN)
		return cli_finish_output();
	if (code != 0)
		return code;
	if ((code = cli_load_config(cli)) != EX_OK)
		return code;
	run.cli = cli;
	run.maildir = args.operands[0];
	run.dry_run = args.values[OPT_DRY_RUN] != NULL;
	code = run_bounces(&run);
	state_close(run.state);
	return code;
}
