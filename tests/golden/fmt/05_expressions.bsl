const a = ((x + y)) * z
const b = x - (y - z)
const c = (x - y) - z
const d = -(x)
const e = -(x + 1) / 2
const f = (p ++ q) ++ r
const g = p ++ (q ++ r) ++ (s + t)
const h = mean(gv) at cycle (4)
const i = (mean(gv) + 1) at cycle (c - 1)
const j = [10 %, 150cM, 1   M, 0.050, .5, 2., 1e-3]
const k = "tab\there \"quoted\" back\\slash"
const l = f(k = 1, x, y = -2)
const m = h[cycle]
const n = - - 3
const o = x * (y / z)
const p = x / y * z
