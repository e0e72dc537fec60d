repeat cycle 1..10 {
  mate crosses = random(40) over elite
  dh lines = crosses * 50
  phenotype lines
  select elite = top 10% lines by gebv within family
  select F2 = top (5) M by gv
  mate plan = from "plan.csv" over elite
  allocate 200 progeny over plan by equal()
  cross offspring = plan
  self selfed = offspring
  dh offspring
  cross plan
}
