/* A small seeded random number generator (xoshiro256**, seeded with
 * splitmix64) and the few distributions the generator uses. Only integer
 * arithmetic and the four IEEE operations are used, never libm, so a seed
 * gives the same bytes on every platform. */
#ifndef GENERATE_RNG_H
#define GENERATE_RNG_H

#include <stdint.h>

struct rng {
  uint64_t s[4];
};

/* An independent stream for (seed, stream): each person has its own, so a
 * person's data does not depend on which outputs are written or on the
 * people generated before. */
void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, 1). */
double rng_unit(struct rng *r);
/* Uniform integer in [lo, hi]. */
int rng_int(struct rng *r, int lo, int hi);
/* 1 with probability p. */
int rng_chance(struct rng *r, double p);
/* Exponential with this mean. */
double rng_exp(struct rng *r, double mean);
/* Approximately normal (Irwin-Hall: the sum of 12 uniforms). */
double rng_normal(struct rng *r, double mean, double sd);
/* An index drawn with the given weights (n of them, summing to > 0). */
int rng_pick(struct rng *r, const double *weights, int n);

#endif
