"""Conditional Wasserstein GAN with gradient penalty: a generator G(noise, c) and a critic D(y, c)."""
from __future__ import annotations

import copy

import torch
from torch import nn

from bsl.genai.conditional.base import ContinuousModel, mlp
from bsl.genai.models.base import ExponentialAverage, minibatches


class _ConditionalGAN(nn.Module):
    def __init__(self, dim: int, context_dim: int, config: dict):
        super().__init__()
        hidden, self.noise_dim = list(config["hidden_features"]), int(config["noise_dim"])
        self.generator = mlp([self.noise_dim + context_dim, *hidden, dim], activation=nn.LeakyReLU)
        self.critic = mlp([dim + context_dim, *hidden, 1], activation=nn.LeakyReLU)

    def generate(self, noise: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        return self.generator(torch.cat([noise, context], dim=1))


class WGANGPModel(ContinuousModel):
    """WGAN-GP (Gulrajani et al. 2017, Algorithm 1) with the context concatenated to the inputs of
    both networks (Mirza & Osindero 2014): ``critic_steps`` = 5 critic updates per generator update,
    penalty ``gp_weight`` (λ = 10) · (‖∇D(ŷ, c)‖ - 1)² at ŷ on segments between real and generated
    rows that share a context, Adam(lr, β = (0.5, 0.9)); no batch norm in the critic. Sampling uses
    an exponential moving average of the generator's weights (``ema_decay``; Yazıcı et al. 2019).
    There is no likelihood to early-stop on: training runs the whole epoch or time budget.
    """

    family = "wgan_gp"
    default_config = {
        "noise_dim": 16,
        "hidden_features": [256, 256],
        "critic_steps": 5,
        "gp_weight": 10.0,
        "learning_rate": 2e-4,
        "ema_decay": 0.999,
        "batch_size": 128,
        "epochs": 1500,
    }

    def _build(self) -> nn.Module:
        return _ConditionalGAN(self.dim, self.context_dim, self.config)

    def _fit(self, y, context, budget, generator, progress):
        c, net = self.config, self.net
        lr = float(c["learning_rate"])
        opt_g = torch.optim.Adam(net.generator.parameters(), lr=lr, betas=(0.5, 0.9))
        opt_d = torch.optim.Adam(net.critic.parameters(), lr=lr, betas=(0.5, 0.9))
        ema = ExponentialAverage(net.generator, float(c["ema_decay"]))
        n, critic_steps, gp_weight = y.shape[0], int(c["critic_steps"]), float(c["gp_weight"])
        steps, epoch, history = 0, 0, []
        while True:
            total_d, total_g, total_gp, gen_steps = 0.0, 0.0, 0.0, 0
            for idx in (minibatches(n, int(c["batch_size"]), generator)):
                real, cond = y[idx.to(y.device)], context[idx.to(y.device)]
                b = real.shape[0]
                noise = torch.randn((b, net.noise_dim), generator=generator, device=y.device)
                fake = net.generate(noise, cond).detach()
                mix = torch.rand((b, 1), generator=generator, device=y.device)
                between = (mix * real + (1 - mix) * fake).requires_grad_(True)
                grad, = torch.autograd.grad(net.critic(torch.cat([between, cond], 1)).sum(), between, create_graph=True)
                penalty = ((grad.norm(dim=1) - 1) ** 2).mean()
                gap = net.critic(torch.cat([fake, cond], 1)).mean() - net.critic(torch.cat([real, cond], 1)).mean()
                opt_d.zero_grad(set_to_none=True)
                (gap + gp_weight * penalty).backward()
                opt_d.step()
                total_d, total_gp, steps = total_d + float(gap.detach()), total_gp + float(penalty.detach()), steps + 1
                if steps % critic_steps == 0:  # one generator step per critic_steps critic steps, across epochs
                    noise = torch.randn((b, net.noise_dim), generator=generator, device=y.device)
                    g_loss = -net.critic(torch.cat([net.generate(noise, cond), cond], 1)).mean()
                    opt_g.zero_grad(set_to_none=True)
                    g_loss.backward()
                    opt_g.step()
                    ema.update(net.generator)
                    total_g, gen_steps = total_g + float(g_loss.detach()), gen_steps + 1
                if budget.out_of_time():
                    break
            epoch += 1
            batches = max(1, -(-n // int(c["batch_size"])))
            history.append({"epoch": epoch, "critic_loss": total_d / batches, "gradient_penalty": total_gp / batches,
                            "generator_loss": total_g / max(gen_steps, 1)})
            if progress is not None:
                progress({"steps": steps, "seconds": budget.seconds, **history[-1]})
            if budget.stopped_by == "time_budget" or budget.epoch_done(epoch):
                break
        if ema.updates:
            ema.copy_to(net.generator)
        # the Wasserstein estimate -E[D(fake)] + E[D(real)] of the last epoch, a convergence signal
        return {"epochs": epoch, "steps": steps, "final_losses": history[-1], "history": history,
                "wasserstein_estimate": -history[-1]["critic_loss"]}

    def _sample(self, context, generator):
        noise = torch.randn((context.shape[0], self.net.noise_dim), generator=generator, device=context.device)
        return self.net.generate(noise, context)
