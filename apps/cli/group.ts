/**
 * Command groups shared by several modules (`train mf`, `train sentiment`, `eval generator`…):
 * each module calls `subcommand(program, 'train', 'mf')` and gets its own subcommand.
 */
import { Command } from 'commander';

const GROUP_HELP: Record<string, string> = {
  train: 'train a model (mf, sentiment, generator)',
  eval: 'evaluate a model; prints one JSON object',
};

export function group(program: Command, name: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(GROUP_HELP[name] ?? name);
}

export function subcommand(program: Command, parent: string, name: string): Command {
  return group(program, parent).command(name);
}
