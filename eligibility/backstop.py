"""The security backstop: returned hubs left in 'pending' beyond 12 months, per policy.

AC 7.2's 12-month rule exists to catch hubs that came back through the returns chain
(commissioned once, then decommissioned, withdrawn ...) and sit in 'pending' where nobody
watches them. A **returned hub** is a Pending hub whose CHF or GPF status history holds a
status other than Pending. Such a hub is **beyond 12 months** at t when its status date plus
12 calendar months is on or before t. The backstop's gap under a policy, at t_k: returned
hubs beyond 12 months that the policy has *not* removed by t_k (still on the SMI). Under
``sec-ac-7.2`` and ``history-aware`` it is 0 by construction; ``secmp0060`` leaves them up to
36 months; ``exclusion-list`` (CHF, GPF) never removes them.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["BACKSTOP_MONTHS", "backstop_counts", "backstop_from_joint", "backstop_joint"]

#: The rule the backstop is measured against: AC 7.2's 12 months.
BACKSTOP_MONTHS = 12


def backstop_counts(
    t: npt.NDArray[np.int64], beyond_day: npt.NDArray[np.int64], k_removed: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """At each t_k, how many of the given (returned) hubs are beyond 12 months and still on the SMI.

    ``beyond_day``: the day each hub passes 12 months pending (NEVER when its date is unknown);
    ``k_removed``: its removal month index from the policy's sweep (on the SMI at t_k for
    k < k_removed).

    >>> t = np.array([0, 30, 60, 90])
    >>> backstop_counts(t, np.array([30, 30, 95]), np.array([5, 2, 5])).tolist()
    [0, 2, 1, 1]
    """
    return backstop_from_joint(backstop_joint(t, beyond_day, k_removed))


def backstop_joint(
    t: npt.NDArray[np.int64], beyond_day: npt.NDArray[np.int64], k_removed: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """``[k_beyond, k_removed]``: how many of the given hubs pass 12 months in month index
    ``k_beyond`` (first t_k on or after the day; ``len(t)``: never) and leave the SMI at
    ``k_removed``. A square of ``len(t) + 1``: counts of chunks of a fleet add up."""
    n = len(t) + 1
    k_beyond = np.searchsorted(t, beyond_day, side="left").astype(np.int64)
    # a removal at len(t) or later is after every t_k: the same for the counts
    k_gone = np.minimum(k_removed, n - 1)
    out: npt.NDArray[np.int64] = np.bincount(k_beyond * n + k_gone, minlength=n * n).reshape(n, n)
    return out


def backstop_from_joint(joint: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """At each t_k, the hubs counted in ``joint`` (:func:`backstop_joint`) beyond 12 months and on the SMI."""
    live = np.triu(joint, 1)  # beyond 12 months before leaving the SMI
    up = live.sum(axis=1)  # by k_beyond
    down = live.sum(axis=0)  # by k_removed
    out: npt.NDArray[np.int64] = np.cumsum(up - down)[: joint.shape[0] - 1]
    return out
