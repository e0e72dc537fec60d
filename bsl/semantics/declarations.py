"""Checks of founder and trait declarations."""
from __future__ import annotations

from pathlib import Path

from bsl.diagnostics import did_you_mean
from bsl.syntax import ast
from bsl.semantics import builtins as B
from bsl.semantics import models as M


class DeclarationChecks:
    """`founders` (from coalescent, files or a model) and `trait` declarations (a mixin of the checker)."""

    # ---- founders and traits -----------------------------------------------------------
    def check_founders(self, f: ast.FoundersDecl, genome: ast.GenomeDecl | None) -> None:
        if f.name in self.founder_sizes:
            self.error("BSL202", f"founders `{f.name}` are declared twice", f.name_span)
        if f.source == "model":
            self.check_settings(f.settings, B.MODEL_FOUNDER_SETTINGS, "founders")
            if f.model not in self.models:
                self.error("BSL208", f"unknown model `{f.model}`", f.span,
                           did_you_mean(f.model or "", list(self.models)) or
                           "declare it: `model g = diffusion { data base }`")
            sample = next((s for s in f.settings if s.key == "sample"), None)
            if sample is None:
                self.error("BSL405", "founders from a model need `sample N`", f.span,
                           f"write `founders {f.name} from model {f.model} {{ sample 200 }}`")
                self.founder_sizes[f.name] = None
            else:
                n = self.number_value(sample.value)
                self.founder_sizes[f.name] = int(n) if n else None
            return
        if f.source == "coalescent":
            self.check_settings(f.settings, B.COALESCENT_SETTINGS, "coalescent")
            if genome is None:
                self.error("BSL405", "coalescent founders need a `genome { ... }` block", f.span,
                           "add e.g. `genome { chromosomes 10  loci_per_chromosome 500  length 1 M }`")
            else:
                keys = {s.key for s in genome.settings}
                for need in ("chromosomes", "loci_per_chromosome"):
                    if need not in keys and "map" not in keys:
                        self.error("BSL405", f"the genome needs `{need}` for coalescent founders", genome.span)
            vals = {s.key: s for s in f.settings}
            pool = self.number_value(vals["pool"].value) if "pool" in vals else None
            sample = self.number_value(vals["sample"].value) if "sample" in vals else None
            if pool is None:
                pool = max(2 * sample, 100) if sample else 100
            if sample is not None and pool is not None and sample > pool:
                self.error("BSL406", f"cannot sample {int(sample)} founders from a pool of {int(pool)}",
                           vals["sample"].span, "raise `pool` or lower `sample`")
            self.founder_sizes[f.name] = int(sample) if sample else (int(pool) if pool else None)
        else:
            self.check_settings(f.settings, B.FILE_FOUNDER_SETTINGS, "founders")
            assert f.path is not None
            self.check_file(f.path, f.span, "founder file")
            suffix = "".join(Path(f.path).suffixes[-2:]).lower()
            if not (suffix.endswith(".vcf") or suffix.endswith(".vcf.gz")):
                if f.map_path is None:
                    self.error("BSL407", "a haplotype matrix needs a genetic map", f.span,
                               f'add `map "map.csv"` after "{f.path}" (columns chromosome, position)')
            if f.map_path is not None:
                self.check_file(f.map_path, f.span, "map file")
            self.founder_sizes[f.name] = None

    def check_trait(self, d: ast.TraitDecl) -> None:
        if d.name in self.traits:
            self.error("BSL202", f"trait `{d.name}` is declared twice", d.name_span)
            return
        self.traits.append(d.name)
        self.check_settings(d.settings, B.TRAIT_SETTINGS, "trait")
        keys = {s.key: s for s in d.settings}
        if "model" in keys:
            M.check_model_trait(self, d, keys)
            return
        if "qtl" not in keys:
            self.error("BSL408", f"trait `{d.name}` needs `qtl`", d.name_span,
                       "add e.g. `qtl 100` or `qtl 2 per chromosome` or `qtl \"qtl.csv\"`")
        elif isinstance(keys["qtl"].value, ast.String):
            self.check_file(keys["qtl"].value.value, keys["qtl"].value.span, "QTL file")
        if "heritability" in keys and "error_variance" in keys:
            self.error("BSL409", "give either `heritability` or `error_variance`, not both", keys["error_variance"].span)
        h2 = keys.get("heritability")
        if h2 is not None and self.number_value(h2.value) == 0:
            self.error("BSL311", "`heritability` must be above 0", h2.value.span,
                       "a trait with no genetic variance cannot be selected on")
