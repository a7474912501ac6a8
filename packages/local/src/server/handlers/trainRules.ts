/**
 * What the TrainCreate codec cannot check alone: the fields each training type
 * needs, that the ids it names exist in the catalog, that the framework runs the boot
 * file (`train.py` on a python3 framework), that the monitors compile (and read a number
 * from their samples), that the platform can fetch its initial model, input files and
 * repository (`fetchRules.ts`),
 * and how much cpu and memory the version asks for (its scheduler demand).
 * Every problem is reported, each naming its field, in one 400.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import type { TrainCreate } from 'modelmaker';
import { type CompiledMonitor, compileMonitors } from 'modelmaker';
import { bootFileProblem, type FrameworkEntry } from '../../catalog.js';
import type { Capacity } from '../../scheduler.js';
import { invalid } from '../problem.js';
import { gitInfoProblems, initModelProblems, inputFileProblems } from './fetchRules.js';

/** The catalog lookups training validation needs. */
export interface TrainCatalog {
  /** The TRAIN framework with this id, or `undefined`. */
  trainFramework(id: number): FrameworkEntry | undefined;
  /** True when a preset algorithm with this id exists. */
  hasPresetAlgorithm(id: number): boolean;
  /** Cores and bytes of a TRAIN resource spec, or `undefined` when there is none with this id. */
  trainResource(id: number): Capacity | undefined;
}

/** A TrainCreate that passed every rule. */
export interface CheckedTrain {
  /** Cores and bytes for all instances together. */
  readonly demand: Capacity;
  readonly monitors: readonly CompiledMonitor[];
}

const BINARY_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
  ki: 2 ** 10,
  mi: 2 ** 20,
  gi: 2 ** 30,
  ti: 2 ** 40,
};

/**
 * A `customResource.memory` as bytes: a number or unitless text is GiB (machine
 * shapes are written in GiB), text may carry a unit (`512Mi`, `8G`, `8GB`).
 */
export function parseMemory(value: string | number): number | undefined {
  if (typeof value === 'number') return value > 0 ? value * 2 ** 30 : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?)?b?\s*$/i.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2]?.toLowerCase();
  if (unit === undefined) return amount > 0 ? amount * 2 ** 30 : undefined;
  const factor = BINARY_UNITS[unit];
  return factor !== undefined && amount > 0 ? amount * factor : undefined;
}

/** A `customResource.cpu` as cores: a number, or text such as `4`, `4C`, `500m` (millicores). */
export function parseCpu(value: string | number): number | undefined {
  if (typeof value === 'number') return value > 0 ? value : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(m|c|cores?)?\s*$/i.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]) / (match[2]?.toLowerCase() === 'm' ? 1000 : 1);
  return amount > 0 ? amount : undefined;
}

/**
 * Checks a decoded TrainCreate against the per-type rules and the catalog.
 *
 * @throws HttpProblem 400 / 4000 listing every problem (`field: message; …`).
 */
export function checkTrain(body: TrainCreate, catalog: TrainCatalog): CheckedTrain {
  const problems: string[] = [];
  const need = (field: keyof TrainCreate, because: string) => {
    if (body[field] === undefined) problems.push(`${field}: required ${because}`);
  };
  const instances = body.instance ?? 1;

  switch (body.type) {
    case 'PRESET_ALGORITHM':
      need('algorithmId', 'with type PRESET_ALGORITHM');
      need('dataUrl', 'with type PRESET_ALGORITHM');
      if (body.algorithmId !== undefined && !catalog.hasPresetAlgorithm(body.algorithmId)) {
        problems.push(`algorithmId: no preset algorithm ${body.algorithmId}`);
      }
      break;
    case 'BASIC_FRAMEWORK':
      need('frameworkId', 'with type BASIC_FRAMEWORK');
      need('dataUrl', 'with type BASIC_FRAMEWORK');
      need('startup', 'with type BASIC_FRAMEWORK (the boot file, relative to the code)');
      if (body.codeUrl === undefined && body.gitInfo === undefined) {
        problems.push('codeUrl: codeUrl or gitInfo required with type BASIC_FRAMEWORK');
      }
      if (body.frameworkId !== undefined) {
        const framework = catalog.trainFramework(body.frameworkId);
        if (framework === undefined) {
          problems.push(`frameworkId: no TRAIN framework ${body.frameworkId}`);
        } else if (body.startup !== undefined) {
          const cannot = bootFileProblem(framework, body.startup);
          if (cannot !== undefined) problems.push(`startup (bootFile): ${cannot}`);
        }
      }
      break;
    case 'CUSTOM':
      need('mirrorUrl', 'with type CUSTOM');
      break;
  }

  problems.push(...initModelProblems(body.modeUrl), ...inputFileProblems(body.inputFiles));
  if (body.codeUrl === undefined) problems.push(...gitInfoProblems(body.gitInfo));

  let perInstance: Capacity | undefined;
  if ((body.resourcePoolType ?? 'PUBLIC_POOL') === 'PUBLIC_POOL') {
    need('resourceId', 'with resourcePoolType PUBLIC_POOL');
    if (body.resourceId !== undefined) {
      perInstance = catalog.trainResource(body.resourceId);
      if (!perInstance) problems.push(`resourceId: no TRAIN resource ${body.resourceId}`);
    }
  } else {
    need('customResource', 'with resourcePoolType PERSONAL_POOL');
    if (body.customResource) {
      const cpu = parseCpu(body.customResource.cpu);
      const memory = parseMemory(body.customResource.memory);
      if (cpu === undefined) problems.push('customResource.cpu: expected cores, e.g. 2 or "500m"');
      if (memory === undefined)
        problems.push('customResource.memory: expected GiB or a size, e.g. 4 or "512Mi"');
      if (cpu !== undefined && memory !== undefined) perInstance = { cpu, memory };
    }
  }

  let monitors: readonly CompiledMonitor[] = [];
  if (body.monitors) {
    const compiled = compileMonitors(body.monitors);
    if (E.isLeft(compiled)) {
      for (const problem of compiled.left.problems) problems.push(`${problem.field}: ${problem.message}`);
    } else {
      monitors = compiled.right;
    }
  }

  if (problems.length > 0 || !perInstance) throw invalid(problems.join('; '));
  return {
    demand: { cpu: perInstance.cpu * instances, memory: perInstance.memory * instances },
    monitors,
  };
}
