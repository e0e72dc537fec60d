# The breeding loop of Hamazaki & Iwata (2024) run by the reference code's own classes, on a founder
# panel and trait that bsl exported (python -m bsl.studies.hamazaki2024.crosscheck writes them and
# calls this script). It needs a checkout of myBreedSimulatR (github.com/KosukeHamazaki/myBreedSimulatR,
# the 2021 commit 281d546 that made the paper's results); nothing of it is in bsl.
#
#   Rscript reference_loop.R --reference CHECKOUT/R --data DIR --strategy BVGVP --h 1,0.5,... \
#       --replicates 300 --seed 1 --out gains.csv
#
# EQ's 250 progeny over 120 pairs leave 10 over. The reference's equalAllocation gives them to the first
# ten rows of its diallel (the best parent by WBV crossed with the next ten); --strategy EQ-best gives them
# to the ten best pairs by mid-parent WBV instead, as the paper's text says and bsl does. It is the
# reference's weightedAllocation on WBV with weight 1e-9: every pair gets floor(250 softmax) = 2 and the
# reference's own leftover step hands the 10 to the pairs with the highest weighted score.
#
# Each replicate runs four cycles as the paper's AI breeder simulates them: the reference's crossInfo
# selects 15 parents by WBV (true effects), mates them in a diallel with selfing and allocates 250
# progeny (equalAllocation for EQ, weightedAllocation on BV/WBV and GVP with the cycle's h otherwise);
# its population class makes the progeny (its meiosis on the exported map). The CSV has, per replicate,
# the mean of the 5 best true genetic values (top5_c) and their variance (var_c) at cycles c = 0..4.
# The reference's genetic value is sum(dosage / 2 * qtlEff); qtlEff = 2a makes it sum(dosage * a), which
# differs from bsl's sum((dosage - 1) * a) by a constant: gains and variances are on bsl's scale.

usage <- function(msg) {
  cat("reference_loop.R: ", msg, "\n", sep = "", file = stderr())
  cat("usage: Rscript reference_loop.R --reference CHECKOUT/R --data DIR --strategy S [--h W1,W2,...] ",
      "--replicates N --seed S --out CSV\n", sep = "", file = stderr())
  quit(status = 2)
}

parse_args <- function(args) {
  out <- list(h = "", seed = "1")
  i <- 1
  while (i <= length(args)) {
    key <- args[i]
    if (!startsWith(key, "--") || i == length(args)) usage(paste0("expected --name value, got `", key, "`"))
    out[[substring(key, 3)]] <- args[i + 1]
    i <- i + 2
  }
  for (k in c("reference", "data", "strategy", "replicates", "out")) {
    if (is.null(out[[k]])) usage(paste0("--", k, " is required"))
  }
  out
}

opt <- parse_args(commandArgs(trailingOnly = TRUE))
STRATEGY_FEATURES <- list(EQ = character(0), `EQ-best` = "selectWBV", BV = "selectBV", WBV = "selectWBV",
                          TBV = c("selectBV", "selectWBV"), BVGVP = "selectBV", WBVGVP = "selectWBV",
                          TBVGVP = c("selectBV", "selectWBV"))
if (!(opt$strategy %in% names(STRATEGY_FEATURES))) {
  usage(paste0("unknown strategy `", opt$strategy, "` (one of ", paste(names(STRATEGY_FEATURES), collapse = ", "), ")"))
}
REFERENCE_FILES <- c("myUtils", "mySimInfo", "mySpecie", "myLoci", "myTrait", "myHaplotype", "myIndividual",
                     "myPopulation", "myCross")
missing <- REFERENCE_FILES[!file.exists(file.path(opt$reference, paste0(REFERENCE_FILES, ".R")))]
if (length(missing) > 0) {
  usage(paste0("--reference ", opt$reference, " lacks ", paste0(missing, ".R", collapse = ", "),
               " (give the R/ folder of a myBreedSimulatR checkout)"))
}

# ---- the reference classes, with stand-ins for the few functions of packages not installed here -------
suppressMessages(library(R6))
abind <- function(..., along = NULL) {  # abind::abind as computeGVP calls it: bind along the last dimension
  xs <- list(...)
  d <- dim(xs[[1]])
  k <- length(d)
  out <- array(unlist(lapply(xs, as.vector)), dim = c(d[-k], sum(vapply(xs, function(x) dim(x)[k], 1))))
  dn <- dimnames(xs[[1]])
  if (!is.null(dn)) {
    dn[[k]] <- unlist(lapply(xs, function(x) dimnames(x)[[k]]))
    dimnames(out) <- dn
  }
  out
}
colsums <- function(x) colSums(x)  # Rfast::colsums
str_sort <- function(x, numeric = FALSE) {  # stringr::str_sort on names like Locus_0001
  if (!numeric) return(sort(x))
  x[order(sub("[0-9]+.*$", "", x), as.numeric(sub("^[^0-9]*([0-9]+).*$", "\\1", x)))]
}
str_split <- function(string, pattern) strsplit(string, pattern)
str_detect <- function(string, pattern) grepl(pattern, string)
parse_number <- function(x) as.numeric(gsub("[^0-9.]", "", x))
pbmclapply <- function(X, FUN, ..., mc.cores = 1) lapply(X, FUN, ...)
pbmcmapply <- function(FUN, ..., mc.cores = 1) mapply(FUN, ..., SIMPLIFY = FALSE)
for (f in REFERENCE_FILES) {
  code <- readLines(file.path(opt$reference, paste0(f, ".R")))
  code <- gsub("(abind|Rfast|stringr|readr|pbmcapply|myBreedSimulatR)::", "", code)
  eval(parse(text = code), envir = globalenv())
}

# ---- the exported panel and trait ----------------------------------------------------------------
read_matrix <- function(name) as.matrix(read.csv(file.path(opt$data, name), header = FALSE))
hap1 <- read_matrix("haplotypes_1.csv")
hap2 <- read_matrix("haplotypes_2.csv")
map <- read.csv(file.path(opt$data, "map.csv"))
qtl <- read.csv(file.path(opt$data, "qtl.csv"))
nLoci <- ncol(hap1)
nInd <- nrow(hap1)
nChr <- max(map$chromosome)
lociPerChr <- as.vector(table(map$chromosome))
lociNames <- .charSeq("Locus_", seq_len(nLoci))
chrNames <- .charSeq("Chr", seq_len(nChr))

quiet <- function(expr) invisible(suppressMessages(utils::capture.output(expr, file = nullfile())))
quiet(mySimInfo <- simInfo$new(simName = "crosscheck", simGeno = FALSE, simPheno = TRUE, nCoreMax = 1,
                               nCorePerGeno = 1, nCorePerPheno = 1, verbose = FALSE))
quiet(mySpec <- specie$new(nChr = nChr, lChr = ceiling(max(map$position_cM)), ploidy = 2, mutRate = 1e-8,
                           recombRate = 1e-6, chrNames = chrNames, nLoci = lociPerChr,
                           recombRateOneVal = FALSE, effPopSize = nInd, simInfo = mySimInfo, verbose = FALSE))
genoMap <- data.frame(lociNames = lociNames, chr = chrNames[map$chromosome], pos = map$position_cM,
                      stringsAsFactors = FALSE)
quiet(myLoci <- lociInfo$new(genoMap = genoMap, specie = mySpec))
nQTL <- nrow(qtl)
quiet(myTrait <- traitInfo$new(lociInfo = myLoci, nMarkers = min(lociPerChr) - ceiling(nQTL / nChr),
                               nTraits = 1, nQTLs = ceiling(nQTL / nChr), qtlOverlap = FALSE, nOverlap = 0,
                               effCor = 0, propDomi = 0, interactionMean = 0, actionTypeEpiSimple = TRUE))
if (length(myTrait$qtlPos[[1]]) != nQTL) usage(paste0("qtl.csv has ", nQTL, " QTL; expected ", nChr, " x k"))
# Replace the reference's own QTL draw by bsl's: positions (1-based loci) and effects (qtlEff = 2a).
qtlPos <- qtl$locus
names(qtlPos) <- names(myTrait$qtlPos[[1]])
qtlEff <- 2 * qtl$effect
names(qtlEff) <- names(myTrait$qtlEff[[1]])
myTrait$qtlPos[[1]] <- qtlPos
myTrait$qtlEff[[1]] <- qtlEff
myTrait$qtlAllEff[[1]] <- qtlEff
stopifnot(all(myTrait$actionType[[1]] == 0))
# The breeder's true marker effects, as bsInfo$lociEffects builds them (qtlEff / 2 at the QTL).
lociEffects <- matrix(0, nrow = nLoci + 1, ncol = 1, dimnames = list(c("Intercept", lociNames), myTrait$traitNames))
lociEffects[1 + qtlPos, 1] <- qtlEff / 2

haplo <- array(NA_integer_, dim = c(nInd, nLoci, 2),
               dimnames = list(indNames = .charSeq("G0_", seq_len(nInd)), lociNames = lociNames,
                               ploidy = c("ploidy_1", "ploidy_2")))
haplo[, , 1] <- hap1
haplo[, , 2] <- hap2
quiet(panel <- createPop(haplo = haplo, lociInfo = myLoci, traitInfo = myTrait, founderIsInitPop = TRUE,
                         popName = "G0", verbose = FALSE))

# ---- the breeding loop ---------------------------------------------------------------------------
features <- STRATEGY_FEATURES[[opt$strategy]]
withGVP <- grepl("GVP", opt$strategy)
nWeights <- length(features) + withGVP
cycles <- 4
hList <- NULL
if (opt$strategy == "EQ-best") {
  hList <- rep(list(1e-9), cycles)
} else if (opt$strategy != "EQ") {
  h <- as.numeric(strsplit(opt$h, ",")[[1]])
  if (length(h) != cycles * nWeights || any(is.na(h))) {
    usage(paste0(opt$strategy, " needs --h with ", cycles * nWeights, " numbers (", nWeights, " per cycle)"))
  }
  hList <- split(h, rep(seq_len(cycles), each = nWeights))
}
if (withGVP) myLoci$computeRecombBetweenMarkers()

summarize <- function(pop) {
  gv <- pop$trueGVMat[, 1]
  c(mean(sort(gv, decreasing = TRUE)[1:5]), var(gv))
}
set.seed(as.integer(opt$seed))
replicates <- as.integer(opt$replicates)
rows <- matrix(NA_real_, nrow = replicates, ncol = 2 * (cycles + 1))
start <- Sys.time()
for (r in seq_len(replicates)) {
  pop <- panel
  row <- summarize(pop)
  for (cycle in seq_len(cycles)) {
    quiet(cross <- crossInfo$new(
      parentPopulation = pop, nSelectionWays = 1, selectionMethod = "selectWBV", traitNoSel = list(1),
      userSI = NULL, lociEffects = lociEffects, clusteringForSel = FALSE, nCluster = 1, nTopCluster = 1,
      nTopEach = 15, nSel = 15, multiTraitsEvalMethod = "sum", hSel = list(1),
      matingMethod = "diallelWithSelfing",
      allocateMethod = if (opt$strategy == "EQ") "equalAllocation" else "weightedAllocation",
      weightedAllocationMethod = if (length(features) > 0) features else NULL, nProgenies = NULL,
      traitNoRA = 1, h = if (is.null(hList)) 1 else hList[[cycle]], includeGVP = withGVP, nNextPop = 250,
      nPairs = NULL, nameMethod = "pairBase", indNames = NULL, seedSimRM = NA, seedSimMC = NA,
      selCands = NULL, crosses = NULL, verbose = FALSE))
    quiet(pop <- population$new(name = paste0("G", cycle), generation = cycle + 1, traitInfo = myTrait,
                                crossInfo = cross, verbose = FALSE))
    row <- c(row, summarize(pop))
  }
  rows[r, ] <- row
  if (r %% 25 == 0 || r == replicates) {
    cat(sprintf("%s: %d/%d replicates, %.0f s\n", opt$strategy, r, replicates,
                as.numeric(difftime(Sys.time(), start, units = "secs"))), file = stderr())
  }
}
colnames(rows) <- as.vector(rbind(paste0("top5_", 0:cycles), paste0("var_", 0:cycles)))
tmp <- paste0(opt$out, ".part")
write.csv(rows, tmp, row.names = FALSE)
file.rename(tmp, opt$out)
