"""One round of truncation selection against the breeder's equation R = h² S (Falconer & Mackay
1996): additive unlinked loci in Hardy–Weinberg and linkage equilibrium, selection on phenotype,
random mating of the selected. Seeded; the mean over replicates of (observed − predicted) response
is tested against 0 at p < 0.001."""
from __future__ import annotations

import numpy as np
import torch
from scipy import stats

from bsl.runtime.genome import GenomeLayout
from bsl.runtime.kernels import mating, meiosis, selection, traits


def test_truncation_selection_matches_breeders_equation():
    R, N, Q, keep, h2 = 200, 1000, 100, 200, 0.4
    rng = np.random.default_rng(7)
    # one locus per chromosome: free recombination between all QTL
    layout = GenomeLayout.from_positions([np.array([0.5]) for _ in range(Q)], "haldane")
    p = rng.uniform(0.2, 0.8, Q)
    alleles = (rng.random((R, N, 2, Q)) < p).astype(np.uint8)
    haps = torch.as_tensor(layout.pack(alleles))  # (R, N, 2, W)
    word, bit = (torch.as_tensor(x) for x in layout.word_and_bit(np.arange(Q)))
    additive = torch.as_tensor(rng.normal(0, 1, (Q, 1)))
    gen = torch.Generator().manual_seed(3)

    gv = traits.genetic_values(traits.dosages(haps, word, bit, torch.float64), additive)  # (R, N, 1)
    valid = torch.ones(R, N, dtype=torch.bool)
    sd = traits.error_sd_from_heritability(gv, valid, torch.tensor([h2], dtype=torch.float64))
    pheno = traits.phenotypes(gv, sd, gen)[..., 0]  # (R, N)
    idx, sel_valid = selection.top_k(pheno, keep, valid)
    selected = torch.gather(haps, 1, idx.view(R, keep, 1, 1).expand(R, keep, 2, haps.shape[-1]))
    m, f, _ = mating.random_pairs(sel_valid, N, gen)
    progeny = meiosis.cross(meiosis.Meiosis(layout), selected, m, f, gen)
    gv_next = traits.genetic_values(traits.dosages(progeny, word, bit, torch.float64), additive)[..., 0]

    g = gv[..., 0]
    response = gv_next.mean(1) - g.mean(1)  # (R,)
    S = pheno.gather(1, idx).mean(1) - pheno.mean(1)  # selection differential
    h2_realized = g.var(1) / pheno.var(1)
    predicted = h2_realized * S
    diff = (response - predicted).numpy()
    assert stats.ttest_1samp(diff, 0.0).pvalue > 0.001, (diff.mean(), diff.std())
    # and selection did something: the response is far from zero
    assert response.mean() > 10 * response.std() / np.sqrt(R)
