#include "rng.h"

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream) {
  uint64_t x = seed ^ (stream * UINT64_C(0xD1342543DE82EF95));
  splitmix64(&x);
  for (int i = 0; i < 4; i++)
    r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_next(struct rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double rng_unit(struct rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

int rng_int(struct rng *r, int lo, int hi) {
  return lo + (int)(rng_unit(r) * (double)(hi - lo + 1));
}

int rng_chance(struct rng *r, double p) { return rng_unit(r) < p; }

/* Natural logarithm for x > 0 with basic operations only: x = m * 2^e with
 * m in [sqrt(1/2), sqrt(2)), then ln m = 2 atanh((m-1)/(m+1)) by its series. */
static double det_log(double x) {
  int e = 0;
  while (x >= 1.4142135623730951) {
    x *= 0.5;
    e++;
  }
  while (x < 0.7071067811865476) {
    x *= 2.0;
    e--;
  }
  /* atanh t = t (1 + t^2/3 + t^4/5 + ...); |t| <= 0.172, so 12 terms
   * reach 1e-17 (Horner form, constant reciprocals). */
  static const double inv_odd[12] = {1.0,       1.0 / 3,  1.0 / 5,  1.0 / 7,
                                     1.0 / 9,   1.0 / 11, 1.0 / 13, 1.0 / 15,
                                     1.0 / 17,  1.0 / 19, 1.0 / 21, 1.0 / 23};
  double t = (x - 1.0) / (x + 1.0), t2 = t * t, sum = 0.0;
  for (int k = 11; k >= 0; k--)
    sum = sum * t2 + inv_odd[k];
  sum *= t;
  return 2.0 * sum + e * 0.6931471805599453;
}

double rng_exp(struct rng *r, double mean) { return -mean * det_log(1.0 - rng_unit(r)); }

double rng_normal(struct rng *r, double mean, double sd) {
  double sum = 0.0;
  for (int i = 0; i < 12; i++)
    sum += rng_unit(r);
  return mean + sd * (sum - 6.0);
}

int rng_pick(struct rng *r, const double *weights, int n) {
  double total = 0.0;
  for (int i = 0; i < n; i++)
    total += weights[i];
  double u = rng_unit(r) * total;
  for (int i = 0; i < n - 1; i++) {
    if (u < weights[i])
      return i;
    u -= weights[i];
  }
  return n - 1;
}
