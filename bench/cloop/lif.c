// A plain single-threaded C loop of the peer harness's COBA and CUBA networks
// (bench/peers/common.py: brainc's models/coba.yaml and cuba.yaml with a fixed
// in-degree of 64 excitatory and 16 inhibitory inputs), written as the
// yardstick of brainc's CPU step: the same equations, the same order of
// operations as brainc's step, nothing clever (no SIMD intrinsics, no
// threads), compiled with -O2.
//
// Each step of dt:
//   1. synapses: g_e ← g_e·e^{−dt/τ_e} + Σ w_e, g_i likewise, over the
//      spikes of the previous step (event-driven, CSR fan-out tables);
//   2. neurons: outside the refractory period, V advances by exponential
//      Euler on dV/dt = (−(V − V_rest) + I)/τ with I = g_e(E_e − V) +
//      g_i(E_i − V) + I_ext (COBA) or g_e + g_i + I_ext (CUBA); V ≥ V_th
//      spikes and resets.
//
// usage: lif coba|cuba N duration_ms seed  → one JSON line on stdout.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
	double v_rest, v_th, v_reset, tau, tau_ref, input, tau_e, tau_i, e_e, e_i, w_e, w_i;
	int coba, v0_normal;
	double v0a, v0b;
} model;

static const model COBA = {-60, -50, -60, 20, 5, 20, 5, 10, 0, -80, 0.6, 6.7, 1, 1, -55, 2};
static const model CUBA = {-49, -50, -60, 20, 5, 0, 5, 10, 0, 0, 1.62, -9, 0, 0, -60, -50};

// splitmix64: the connectivity's and the initial values' random numbers.
static uint64_t rng_state;
static uint64_t next_u64(void) {
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}
static double uniform(void) { return (next_u64() >> 11) * (1.0 / 9007199254740992.0); }
static double normal(void) {
	double u = uniform(), v = uniform();
	return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

// csr is a fan-out table: row i's targets are idx[ptr[i]..ptr[i+1]).
typedef struct {
	int32_t *ptr, *idx;
} csr;

// fan_out gives every neuron of [0, n) k distinct sources from [from, from+m),
// never itself, and returns the sources' fan-out table over all n neurons.
static csr fan_out(int n, int from, int m, int k) {
	int32_t* src = malloc(sizeof(int32_t) * (size_t)n * k);
	char* seen = calloc((size_t)m, 1);
	for (int j = 0; j < n; j++) {
		int got = 0;
		while (got < k) {
			int s = from + (int)(uniform() * m);
			if (s == j || seen[s - from]) continue;
			seen[s - from] = 1;
			src[(size_t)j * k + got++] = s;
		}
		for (int g = 0; g < k; g++) seen[src[(size_t)j * k + g] - from] = 0;
	}
	csr t = {calloc((size_t)n + 1, sizeof(int32_t)), malloc(sizeof(int32_t) * (size_t)n * k)};
	for (size_t e = 0; e < (size_t)n * k; e++) t.ptr[src[e] + 1]++;
	for (int i = 0; i < n; i++) t.ptr[i + 1] += t.ptr[i];
	int32_t* fill = malloc(sizeof(int32_t) * (size_t)n);
	memcpy(fill, t.ptr, sizeof(int32_t) * (size_t)n);
	for (int j = 0; j < n; j++)
		for (int g = 0; g < k; g++) t.idx[fill[src[(size_t)j * k + g]]++] = j;
	free(src);
	free(seen);
	free(fill);
	return t;
}

int main(int argc, char** argv) {
	if (argc != 5) {
		fprintf(stderr, "usage: %s coba|cuba N duration_ms seed\n", argv[0]);
		return 2;
	}
	const model* p = strcmp(argv[1], "cuba") == 0 ? &CUBA : &COBA;
	if (strcmp(argv[1], "coba") != 0 && strcmp(argv[1], "cuba") != 0) {
		fprintf(stderr, "model: expected coba or cuba, got %s\n", argv[1]);
		return 2;
	}
	int n = atoi(argv[2]);
	double duration = atof(argv[3]);
	rng_state = strtoull(argv[4], NULL, 10);
	if (n < 10 || n > 10000000 || !(duration > 0) || duration > 1e7) {
		fprintf(stderr, "N must be in [10, 1e7] and duration_ms in (0, 1e7]\n");
		return 2;
	}
	const double dt = 0.1;
	int ne = (int)lround(0.8 * n);
	long steps = lround(duration / dt);
	csr te = fan_out(n, 0, ne, 64), ti = fan_out(n, ne, n - ne, 16);
	float *vf = malloc(sizeof(float) * n), *gef = calloc(n, sizeof(float)), *gif = calloc(n, sizeof(float));
	int32_t* last = malloc(sizeof(int32_t) * n);
	int32_t *fired = malloc(sizeof(int32_t) * n), *prev = malloc(sizeof(int32_t) * n);
	for (int i = 0; i < n; i++) {
		vf[i] = (float)(p->v0_normal ? p->v0a + p->v0b * normal() : p->v0a + (p->v0b - p->v0a) * uniform());
		last[i] = -(1 << 30);
	}
	const float de = (float)exp(-dt / p->tau_e), di = (float)exp(-dt / p->tau_i);
	const int32_t ref = (int32_t)lround(p->tau_ref / dt);
	int nprev = 0;
	long long spikes_e = 0, spikes_i = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long s = 0; s < steps; s++) {
		// 1. synapses: decay, then the previous step's spikes.
		for (int j = 0; j < n; j++) {
			gef[j] *= de;
			gif[j] *= di;
		}
		for (int k = 0; k < nprev; k++) {
			int i = prev[k];
			if (i < ne) {
				for (int32_t e = te.ptr[i]; e < te.ptr[i + 1]; e++) gef[te.idx[e]] += (float)p->w_e;
			} else {
				for (int32_t e = ti.ptr[i]; e < ti.ptr[i + 1]; e++) gif[ti.idx[e]] += (float)p->w_i;
			}
		}
		// 2. neurons.
		int nf = 0;
		for (int j = 0; j < n; j++) {
			if ((int32_t)s - last[j] <= ref) continue;
			float V = vf[j], a, f;
			if (p->coba) {
				float I = gef[j] * ((float)p->e_e - V) + gif[j] * ((float)p->e_i - V) + (float)p->input;
				f = (-(V - (float)p->v_rest) + I) / (float)p->tau;
				a = (-1.0f - gef[j] - gif[j]) / (float)p->tau;
			} else {
				float I = gef[j] + gif[j] + (float)p->input;
				f = (-(V - (float)p->v_rest) + I) / (float)p->tau;
				a = -1.0f / (float)p->tau;
			}
			V += f * expm1f(a * (float)dt) / a;
			if (V >= (float)p->v_th) {
				V = (float)p->v_reset;
				last[j] = (int32_t)s;
				fired[nf++] = j;
				if (j < ne) spikes_e++; else spikes_i++;
			}
			vf[j] = V;
		}
		int32_t* tmp = prev;
		prev = fired;
		fired = tmp;
		nprev = nf;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double run = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	double secs = steps * dt / 1000;
	printf("{\"simulator\": \"c-loop\", \"version\": \"cc -O2\", \"model\": \"%s\", \"n\": %d, \"model_time_ms\": %g, "
	       "\"dt_ms\": %g, \"run_s\": %.6f, \"us_per_step\": %.3f, \"rates\": {\"E\": %.4f, \"I\": %.4f}}\n",
	       argv[1], n, steps * dt, dt, run, 1e6 * run / steps, spikes_e / (ne * secs), spikes_i / ((n - ne) * secs));
	return 0;
}
