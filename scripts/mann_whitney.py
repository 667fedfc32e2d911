"""The noise test of compare.py: a two-sided Mann-Whitney U test on per-repetition
times, and how many repetitions it needs to tell a change of a given size.

Python 3 standard library only.
"""
import functools
import math
from statistics import NormalDist, fmean

# The power at which repetitions_to_tell() sizes the test: the chance that a
# change of the threshold's size is found beyond noise.
POWER = 0.8
# Mann-Whitney's asymptotic efficiency against the t-test on normal data
# (3/pi): it needs about 1/0.955 times the t-test's repetitions.
EFFICIENCY = 3 / math.pi


@functools.lru_cache(maxsize=None)
def _u_counts(n, m):
    """How many of the C(n+m, n) orderings of n X and m Y give U = 0 .. n*m.

    U counts the (x, y) pairs with x > y.  The largest of all n + m values is
    either an X, above all m Y (adds m), or a Y (adds nothing):
    f(n, m, u) = f(n-1, m, u-m) + f(n, m-1, u).
    """
    if n == 0 or m == 0:
        return (1,)
    with_x = _u_counts(n - 1, m)
    with_y = _u_counts(n, m - 1)
    counts = [0] * (n * m + 1)
    for u, c in enumerate(with_y):
        counts[u] += c
    for u, c in enumerate(with_x):
        counts[u + m] += c
    return tuple(counts)


def smallest_p(n, m):
    """The smallest two-sided p-value n and m untied values can give: 2 / C(n+m, n)."""
    return min(1.0, 2.0 / math.comb(n + m, n))


def repetitions_needed(alpha):
    """The least k such that k repetitions in each file can reject at alpha."""
    k = 1
    while smallest_p(k, k) >= alpha:
        k += 1
    return k


def mann_whitney(x, y):
    """Two-sided Mann-Whitney U test of samples x and y.  Returns (U of x, p, method).

    Exact (the full distribution of U) when there are no ties and
    n + m <= 40; otherwise the normal approximation with tie and continuity
    corrections.
    """
    n, m = len(x), len(y)
    pooled = sorted([(v, 0) for v in x] + [(v, 1) for v in y])
    ranks = [0.0] * len(pooled)
    tie_sizes = []
    i = 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1  # mid-rank, 1-based
        tie_sizes.append(j - i + 1)
        i = j + 1
    rank_sum_x = sum(r for r, (_, group) in zip(ranks, pooled) if group == 0)
    u = rank_sum_x - n * (n + 1) / 2
    ties = any(t > 1 for t in tie_sizes)

    if not ties and n + m <= 40:
        counts = _u_counts(n, m)
        total = math.comb(n + m, n)
        k = int(round(u))
        lower = sum(counts[: k + 1])
        upper = sum(counts[k:])
        return u, min(1.0, 2 * min(lower, upper) / total), "exact"

    big_n = n + m
    variance = n * m / 12 * ((big_n + 1) - sum(t ** 3 - t for t in tie_sizes) / (big_n * (big_n - 1)))
    if variance <= 0:  # every value the same
        return u, 1.0, "normal"
    z = max(0.0, abs(u - n * m / 2) - 0.5) / math.sqrt(variance)
    return u, math.erfc(z / math.sqrt(2)), "normal"


def log_spread(*samples):
    """The pooled standard deviation of the logarithms of the samples, each around its own mean.

    On a log scale a spread is relative: 0.1 is about 10% of the time per
    round trip, on either side.
    """
    logs = [[math.log(v) for v in s] for s in samples]
    freedom = sum(len(s) - 1 for s in logs)
    if freedom <= 0:
        return 0.0
    return math.sqrt(sum((v - fmean(s)) ** 2 for s in logs for v in s) / freedom)


def repetitions_to_tell(spread, change_pct, alpha, power=POWER):
    """Repetitions per file with which the test finds a change of change_pct percent beyond noise.

    The normal approximation for a shift of log(1 + change) between two
    samples of that spread: n = 2 ((z(1 - alpha/2) + z(power)) spread / shift)^2,
    divided by the rank test's efficiency, and never fewer than the test
    needs to reject at all.
    """
    shift = math.log1p(change_pct / 100)
    z = NormalDist().inv_cdf(1 - alpha / 2) + NormalDist().inv_cdf(power)
    n = 2 * (z * spread / shift) ** 2 / EFFICIENCY
    return max(repetitions_needed(alpha), math.ceil(n))


def smallest_change(spread, repetitions, alpha, power=POWER):
    """The smallest change, in percent, that `repetitions` per file of that spread find beyond noise at
    `power`: repetitions_to_tell() solved for the change.  A change above it fails the rank test's
    threshold of repetitions_to_tell() with no more repetitions than these."""
    z = NormalDist().inv_cdf(1 - alpha / 2) + NormalDist().inv_cdf(power)
    return math.expm1(z * spread * math.sqrt(2 / (repetitions * EFFICIENCY))) * 100
