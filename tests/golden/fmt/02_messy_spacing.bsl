scheme"spacing"   seed	7



replicates 3 genome{chromosomes 2 length 150cM}
const   n=10
const
  m =
    n*2+1


feature   f=	z( gv ,  base )
repeat c 1 .. 3{select p=top n by f cross p}
report{per_cycle mean( gv ),var(gv)}
