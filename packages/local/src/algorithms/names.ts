/**
 * The preset algorithms the local platform trains, by name. The catalog lists them
 * (a preset algorithm and the preset model serving it share the name), the training
 * entry dispatches on them, `model.json` records them. Kept apart from the
 * implementations so the catalog does not load the mljs packages.
 * @module
 */

/** Every preset algorithm's name. */
export const PRESET_ALGORITHM_NAMES = [
  'linear-regression',
  'logistic-regression',
  'kmeans',
  'random-forest',
] as const;

/** A preset algorithm's name. */
export type PresetAlgorithmName = (typeof PRESET_ALGORITHM_NAMES)[number];

/** True when `name` is a preset algorithm's name. */
export function isPresetAlgorithmName(name: string): name is PresetAlgorithmName {
  return (PRESET_ALGORITHM_NAMES as readonly string[]).includes(name);
}
