/* Integration: leader election between processes on one Lease.
 * - Two candidates: exactly one leads; the other does not.
 * - The leader is killed (SIGKILL): the other takes over after the lease
 *   expires and within lease duration + 2 retry periods of the kill, never
 *   before the killed one stopped.
 * - A third candidate joins; the leader is frozen (SIGSTOP) longer than the
 *   lease: the third takes over, and when the frozen one wakes it reports the
 *   loss at once (its renew deadline has passed) and does not lead again.
 * Candidates log "START t" / "STOP t" (CLOCK_REALTIME) as their callbacks run. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "itcheck.h"
#include "itlib.h"
#include "kube/lease.h"

#define LEASE 6.0
#define RENEW 4.0
#define RETRY 1.0

static FILE *cand_log;

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_started(void *ud)
{
	(void)ud;
	fprintf(cand_log, "START %.6f\n", wall());
	fflush(cand_log);
}

static void on_stopped(void *ud)
{
	(void)ud;
	fprintf(cand_log, "STOP %.6f\n", wall());
	fflush(cand_log);
}

static int candidate(char **argv)
{
	struct it t;
	char err[512];
	struct pn_kube_client_opts o = { .qps = -1, .timeout_ms = 3000 };
	memset(&t, 0, sizeof(t));
	cand_log = fopen(argv[4], "a");
	if (!cand_log)
		return 2;
	t.loop = ev_loop_new(EVFLAG_AUTO);
	if (pn_kube_config_load(NULL, NULL, &t.cfg, err, sizeof(err)) < 0)
		return 2;
	t.c = pn_kube_client_new(t.loop, t.cfg, &o);
	struct pn_lease_opts lo = { .ns = argv[3], .name = "pn-kube-it", .identity = argv[2],
				    .lease_duration = LEASE, .renew_deadline = RENEW, .retry_period = RETRY,
				    .on_started = on_started, .on_stopped = on_stopped };
	struct pn_lease *l = pn_lease_new(t.c, &lo);
	pn_lease_start(l);
	ev_run(t.loop, 0);
	return 0;
}

static pid_t spawn(const char *id, const char *ns, const char *logf)
{
	pid_t p = fork();
	if (p == 0) {
		char self[4096];
		ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (l <= 0)
			_exit(127);
		self[l] = '\0';
		execl(self, self, "candidate", id, ns, logf, (char *)NULL);
		_exit(127);
	}
	return p;
}

/* Last START/STOP in a candidate's log; 1 when leading. */
static int leading(const char *logf, double *start, double *stop, int *nstart)
{
	FILE *f = fopen(logf, "r");
	char w[16];
	double t;
	int lead = 0;
	*nstart = 0;
	if (!f)
		return 0;
	while (fscanf(f, "%15s %lf", w, &t) == 2) {
		if (strcmp(w, "START") == 0) {
			lead = 1;
			*start = t;
			(*nstart)++;
		} else {
			lead = 0;
			*stop = t;
		}
	}
	fclose(f);
	return lead;
}

int main(int argc, char **argv)
{
	struct it t;
	char la[256], lb[256], lc[256];
	double sa = 0, ea = 0, sb = 0, eb = 0, sc = 0, ec = 0;
	int na, nb, nc;

	if (argc > 4 && strcmp(argv[1], "candidate") == 0)
		return candidate(argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (it_setup(&t, "lease") < 0) {
		IT_CHECK(0, "lease: namespace created");
		return it_done();
	}
	snprintf(la, sizeof(la), "/tmp/pn-kube-lease-a-%d.log", (int)getpid());
	snprintf(lb, sizeof(lb), "/tmp/pn-kube-lease-b-%d.log", (int)getpid());
	snprintf(lc, sizeof(lc), "/tmp/pn-kube-lease-c-%d.log", (int)getpid());
	unlink(la);
	unlink(lb);
	unlink(lc);
	pid_t pa = spawn("cand-a", t.ns, la);
	pid_t pb = spawn("cand-b", t.ns, lb);

	/* 1. exactly one leads, and keeps leading */
	int one = 0, both = 0;
	double end = it_now() + 20;
	while (it_now() < end && !one) {
		usleep(100000);
		one = leading(la, &sa, &ea, &na) + leading(lb, &sb, &eb, &nb) == 1;
	}
	IT_CHECK(one, "lease: one of two candidates leads");
	for (int i = 0; i < 3 * (int)LEASE * 10; i++) {
		usleep(100000);
		int n = leading(la, &sa, &ea, &na) + leading(lb, &sb, &eb, &nb);
		if (n != 1)
			both++;
	}
	IT_CHECK(both == 0 && na + nb == 1, "lease: exactly one leads during %.0f s (%d samples with not exactly one; %d starts)",
		 3 * LEASE, both, na + nb);

	/* 2. kill the leader */
	int a_leads = leading(la, &sa, &ea, &na);
	pid_t killed = a_leads ? pa : pb, other = a_leads ? pb : pa;
	const char *olog = a_leads ? lb : la;
	double tk = wall();
	kill(killed, SIGKILL);
	waitpid(killed, NULL, 0);
	double so = 0, eo = 0;
	int no = 0, took = 0;
	end = it_now() + LEASE + 10;
	while (it_now() < end && !(took = leading(olog, &so, &eo, &no)))
		usleep(50000);
	double handover = so - tk;
	IT_CHECK(took, "lease: the other candidate took over after the leader was killed");
	IT_CHECK(took && handover > 0 && handover >= LEASE - 2 * RETRY,
		 "lease: not before the killed leader's lease expired (%.2f s after the kill)", handover);
	IT_CHECK(took && handover <= LEASE + 2 * RETRY,
		 "lease: handover within lease duration + 2 retry periods (%.2f s <= %.1f s)", handover, LEASE + 2 * RETRY);

	/* 3. a frozen leader notices the loss as soon as it runs again */
	pid_t pc = spawn("cand-c", t.ns, lc);
	sleep(3);
	IT_CHECK(!leading(lc, &sc, &ec, &nc), "lease: a new candidate does not take a renewed lease");
	double tf = wall();
	kill(other, SIGSTOP);
	end = it_now() + LEASE + 10;
	int c_took = 0;
	while (it_now() < end && !(c_took = leading(lc, &sc, &ec, &nc)))
		usleep(50000);
	IT_CHECK(c_took && sc - tf >= LEASE - 2 * RETRY,
		 "lease: the third candidate took over from the frozen leader (%.2f s after the freeze)", sc - tf);
	double tw = wall();
	kill(other, SIGCONT);
	usleep(1500000);
	int still = leading(olog, &so, &eo, &no);
	IT_CHECK(!still && eo >= tw && eo - tw < 1.0,
		 "lease: the woken leader reported the loss at once (%.3f s after waking)", eo - tw);
	sleep((unsigned)(2 * RETRY + 1));
	IT_CHECK(leading(lc, &sc, &ec, &nc) && !leading(olog, &so, &eo, &no) && no == 1,
		 "lease: after waking it does not lead again; the third still leads");

	kill(other, SIGKILL);
	kill(pc, SIGKILL);
	waitpid(other, NULL, 0);
	waitpid(pc, NULL, 0);
	(void)errno;
	unlink(la);
	unlink(lb);
	unlink(lc);
	it_teardown(&t);
	return it_done();
}
