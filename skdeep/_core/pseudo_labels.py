"""Pseudo-labels for the unlabeled rows of semi-supervised fine-tuning.

Two sources, each ``source(codes, logits, seeds, n_classes, graph=None) ->
(labels, certainty)`` over every training row (``seeds``: the class of a labeled row,
-1 for an unlabeled one; ``codes``: the network's top hidden codes;
``logits``: its outputs):

- "network" (Lee, 2013): the network's own most probable class;
- "propagation" (Iscen et al., 2019): Zhou et al. (2004)'s label spreading,
  F <- a S F + Y with S = D^-1/2 W D^-1/2, on the symmetric kNN graph W of
  the codes; each row gets the class of largest spread mass.

The certainty of a row is 1 - H(p) / log(n_classes), p its normalized class
distribution: 1 for a sure row, 0 for a uniform one.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.neighbors import NearestNeighbors

from skdeep._core.activations import HEADS


def knn_affinity(codes, n_neighbors):
    """Symmetric kNN graph W (CSR): w_ij = exp(-d_ij^2 / s^2) for neighbours,
    s^2 the mean squared neighbour distance, W = max(W, W^T)."""
    n_neighbors = min(n_neighbors, codes.shape[0] - 1)
    nn = NearestNeighbors(n_neighbors=n_neighbors + 1).fit(codes)
    distances, neighbours = nn.kneighbors(codes)
    distances, neighbours = distances[:, 1:], neighbours[:, 1:]  # not itself
    squared = distances.astype(np.float64) ** 2
    scale = max(float(squared.mean()), np.finfo(np.float64).tiny)
    rows = np.repeat(np.arange(codes.shape[0]), n_neighbors)
    W = sp.csr_matrix(
        (np.exp(-squared.ravel() / scale), (rows, neighbours.ravel())),
        shape=(codes.shape[0],) * 2,
    )
    return W.maximum(W.T).tocsr()


def spread_labels(W, seeds, n_classes, *, alpha=0.99, n_iter=20):
    """F after ``n_iter`` steps of F <- alpha S F + Y (Zhou et al., 2004).

    ``seeds`` is an int array: the class of each row, -1 for unlabeled rows.
    Returns the row-normalized F (rows the graph never reaches are uniform).
    """
    degree = np.asarray(W.sum(axis=1)).ravel()
    inv_sqrt = 1.0 / np.sqrt(np.maximum(degree, np.finfo(np.float64).tiny))
    S = sp.diags(inv_sqrt) @ W @ sp.diags(inv_sqrt)
    Y = np.zeros((W.shape[0], n_classes))
    known = seeds >= 0
    Y[np.flatnonzero(known), seeds[known]] = 1.0
    F = Y.copy()
    for _ in range(n_iter):
        F = alpha * (S @ F) + Y
    total = F.sum(axis=1, keepdims=True)
    unreached = total[:, 0] <= 0
    F[unreached] = 1.0
    return F / F.sum(axis=1, keepdims=True)


# Neighbours per row of the propagation graph (Iscen et al. use 50 on far
# larger data; see the user guide's semi-supervised page for this choice).
N_NEIGHBORS = 10


def certainty(P):
    """1 - H(p_i) / log(n_classes) of each row of the distributions P."""
    entropy = -np.sum(P * np.log(np.maximum(P, 1e-300)), axis=1)
    return 1.0 - entropy / np.log(P.shape[1])


def propagated_labels(codes, logits, seeds, n_classes, graph=None):
    """Labels and certainties spread from the seeds over the codes' kNN graph
    (``graph``, when already built)."""
    if graph is None:
        graph = knn_affinity(codes, N_NEIGHBORS)
    P = spread_labels(graph, seeds, n_classes)
    return P.argmax(axis=1), certainty(P)


def network_labels(codes, logits, seeds, n_classes, graph=None):
    """The network's most probable class and the certainty of its softmax."""
    P = HEADS["softmax"].output(logits.copy())
    return logits.argmax(axis=1), certainty(P)


PSEUDO_LABELS = {"network": network_labels, "propagation": propagated_labels}


def multilabel_pseudo_labels(name, codes, logits, seeds):
    """Pseudo-labels of a multi-label task, each label a two-class problem.

    ``seeds`` (n_rows, n_labels) holds 0 or 1 for labeled rows and -1 for
    unlabeled ones; the two-class logits of label j are (0, z_j), whose
    softmax is (1 - sigma(z_j), sigma(z_j)). Returns the 0/1 labels and the
    certainty of each row, averaged over its labels.
    """
    graph = knn_affinity(codes, N_NEIGHBORS) if name == "propagation" else None
    labels, sure = np.empty(seeds.shape, dtype=int), np.zeros(seeds.shape[0])
    for j in range(seeds.shape[1]):
        two_class = np.column_stack([np.zeros(len(seeds)), logits[:, j]])
        labels[:, j], certain = PSEUDO_LABELS[name](
            codes, two_class, seeds[:, j], 2, graph=graph
        )
        sure += certain / seeds.shape[1]
    return labels, sure
