/*
 * transport_esmtp_impl.h - what the libESMTP transport's files share:
 * transport_esmtp.c (the transport, its TLS context, one session per
 * batch), transport_esmtp_watch.c (libESMTP's callbacks: what the session
 * did, the messages handed out, the hook), transport_esmtp_socket.c (its
 * socket, which libESMTP keeps to itself) and transport_esmtp_classify.c
 * (each job's status and message once the session is over).  Only those
 * files and their tests include it; libESMTP's and OpenSSL's types stay
 * behind it.
 */
#ifndef DIGEST_TRANSPORT_ESMTP_IMPL_H
#define DIGEST_TRANSPORT_ESMTP_IMPL_H

#include <stdint.h>
#include <sys/types.h>

#include <openssl/ssl.h>

#include <auth-client.h>
#include <libesmtp.h>

#include "transport_impl.h"
#include "util.h"

/* Reply text quoted in an error: enough for any enhanced status line. */
#define ESMTP_REPLY_MAX 300

struct esmtp_transport {
	struct transport base;
	char *host_port; /* "host:port", for libESMTP and for messages */
	char *user;	 /* NULL: no AUTH */
	char *password;	 /* zeroed before it is freed */
	enum tls_mode tls;
	SSL_CTX *tls_context; /* STARTTLS only: verifies peer and host */
	char *server_name;    /* for SNI; NULL for an IP address */
	long timeout;	      /* seconds, as in struct provider */
	long data_timeout;
	char *config_problem; /* set at open: every batch reports it */
};

/* What one job went through in its session. */
struct esmtp_job {
	struct esmtp_batch *batch;
	struct transport_job *job;
	smtp_message_t message;	    /* NULL: not handed to libESMTP */
	smtp_recipient_t recipient; /* its one recipient */
	size_t handed;		    /* bytes handed to libESMTP so far */
	int hook_called;	    /* before_data ran for it */
	int held_back;		    /* ... and said -1 */
	int refused;		    /* not sent: AUTH had not succeeded */
	int data_started;	    /* its first bytes were handed out */
	int data_complete;	    /* all of them, and the end */
	int write_failed;	    /* a write failed before its end */
	int final_seen;		    /* libESMTP had its verdict on the data */
	int told;		    /* the after hook has had it */
};

/*
 * What one session saw, from the monitor and event callbacks: the replies
 * before the first message (greeting, STARTTLS, AUTH) and whatever ended
 * it.  Only the verbs of our commands are kept, never their arguments:
 * AUTH's carry the credentials.
 */
struct esmtp_watch {
	struct buf line;       /* a reply line still being received */
	struct buf reply;      /* the reply being assembled */
	char *last_reply;      /* the last complete reply, "550 ..." */
	int last_code;	       /* its code */
	int reply_count;       /* complete replies seen */
	char last_command[12]; /* verb of the last command sent */
	int in_auth;	       /* AUTH sent, its exchange not over */
	char *greeting;	       /* the first reply */
	int greeting_code;
	int starttls_code;	  /* the reply to STARTTLS */
	char *auth_reply;	  /* the reply that ended AUTH */
	int auth_code;		  /* 235: authenticated */
	int connected;		  /* TCP connection made */
	int starttls_missing;	  /* STARTTLS required, not offered */
	int tls_up;		  /* STARTTLS done and the peer accepted */
	long certificate_error;	  /* X509_V_ERR_..., 0: none seen */
	int64_t last_activity_ms; /* monotonic: the last thing that happened */
};

struct esmtp_batch {
	struct esmtp_transport *esmtp;
	struct esmtp_job *jobs;
	size_t count;
	const struct transport_hooks *hooks; /* may be NULL */
	void *context;			     /* the hooks' */
	struct esmtp_watch watch;
	int sigpipe_before;	 /* SIGPIPE was pending before the session */
	int session_result;	 /* smtp_start_session()'s */
	int session_error;	 /* smtp_errno() after it */
	unsigned long tls_error; /* OpenSSL's last error in the session */
	int64_t ended_ms;	 /* when the session was over */
	int socket_fd;		 /* libESMTP's socket once told apart, or -1 */
	ino_t socket_inode;	 /* ... its inode, as claimed */
	int socket_tries;	 /* attempts to tell it apart; 0: none now */
	int connecting;		 /* holds the lock of sessions connecting */
};

/*
 * transport_esmtp_socket.c: libESMTP's socket, found among the process's
 * descriptors.  Before the session starts: waits a moment for other
 * sessions to finish connecting.  Just after it connected: TCP_NODELAY on
 * every socket to the server's port, and the session's own claimed when
 * it can be told apart.
 */
void transport_esmtp_socket_before(struct esmtp_batch *batch);
void transport_esmtp_socket_connected(struct esmtp_batch *batch);

/* Corks (on) or uncorks the session's socket, claiming it if need be. */
void transport_esmtp_socket_cork(struct esmtp_batch *batch, int on);

/* The session's socket is closed (or never opened): another may claim
 * its place. */
void transport_esmtp_socket_release(struct esmtp_batch *batch);

/* The monotonic clock in milliseconds. */
int64_t transport_esmtp_now_ms(void);

/*
 * Installs the monitor and event callbacks on session, and the message
 * callback on each job's message, all reporting into batch.
 */
void transport_esmtp_watch(struct esmtp_batch *batch, smtp_session_t session);

/* Feeds traffic the monitor callback saw into watch (tests call it). */
void transport_esmtp_watch_take(struct esmtp_watch *watch, const char *data,
				size_t size, int writing);

/* Frees what watch holds. */
void transport_esmtp_watch_free(struct esmtp_watch *watch);

/*
 * The verify callback of the STARTTLS context: notes the first reason a
 * certificate was refused in the batch of this thread's running session.
 */
int transport_esmtp_verify(int preverified, X509_STORE_CTX *store);

/* Sets the batch whose session runs in this thread (NULL after it). */
void transport_esmtp_watch_current(struct esmtp_batch *batch);

/*
 * Once the session is over: sets each job's status and errstr (free()).
 * Returns TRANSPORT_OK when every job was tried, or the status of what
 * stopped the session early.
 */
enum transport_status transport_esmtp_classify(struct esmtp_batch *batch);

/*
 * The final reply to job's data just came: when it decides the job, sets
 * its status and tells the caller at once (transport_esmtp_tell()), so
 * that its fate is recorded before the next message's data goes out.
 */
void transport_esmtp_settle_early(struct esmtp_batch *batch,
				  struct esmtp_job *job);

/*
 * Hands job's fate to the after hook, once, with the password taken out
 * of its errstr; without a hook, errstr stays in the job.
 */
void transport_esmtp_tell(struct esmtp_batch *batch, struct esmtp_job *job);

#endif
