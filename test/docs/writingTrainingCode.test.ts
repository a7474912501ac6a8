/**
 * docs/writing-training-code.md, checked against the local platform: its Node and Python
 * examples, taken from the page verbatim, train (reading the data, a hyperparameter and
 * their rank from the environment, printing a metric, writing model.json to the output
 * dir), are registered, served (PORT, MODELMAKER_MODEL_DIR, POST /ModelMaker/predict) and
 * predict iris species; a program that finds no data fails with its own message as the
 * `TrainingFailed`'s program error; and every variable the runner sets is on the page.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalPlatform, startLocalPlatform } from '@modelmaker/local';
import {
  deleteService,
  deployed,
  Estimator,
  type FitEvent,
  hasTag,
  Session,
  trained,
  uploadData,
} from 'modelmaker';
import { firstValueFrom, lastValueFrom, switchMap, tap } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformVariables } from '../../packages/local/src/runner/environment.js';
import { ROOT } from '../examples/support.js';
import { readmeBlock, readmeBlocks } from '../readme/readmeBlocks.js';

const DOC = 'docs/writing-training-code.md';
const IRIS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.0, 2.9, 4.5, 1.5],
  [6.7, 3.0, 5.2, 2.3],
];

interface Language {
  readonly name: 'node' | 'python';
  readonly framework: number;
  readonly train: string;
  readonly predict: string;
}
const LANGUAGES: readonly Language[] = [
  { name: 'node', framework: 500101, train: 'train.mjs', predict: 'predict.mjs' },
  { name: 'python', framework: 500100, train: 'train.py', predict: 'predict.py' },
];

let platform: LocalPlatform;
let session: Session;
let data: string;
let bucket: string;
const dirs: string[] = [];
const stamp = Date.now();

/** A code dir holding the page's two programs of `language`. */
function codeDir(language: Language): string {
  const dir = mkdtempSync(join(tmpdir(), `mm-doc-${language.name}-`));
  dirs.push(dir);
  writeFileSync(join(dir, language.train), readmeBlock(`${language.name}-train`, DOC).code);
  writeFileSync(join(dir, language.predict), readmeBlock(`${language.name}-predict`, DOC).code);
  return dir;
}

function estimator(language: Language, code: string, name: string): Estimator {
  return new Estimator(session, {
    frameworkType: 'BASIC_FRAMEWORK',
    framework: language.framework,
    codeDir: code,
    bootFile: language.train,
    hyperparameters: [{ name: 'shrink', value: 0.1 }],
    monitors: [{ name: 'accuracy', regular: 'accuracy=([0-9.]+)' }],
    outputPath: `s3://${bucket}/doc-${stamp}/${name}/out/`,
    trainInstanceType: 500050,
    trainInstanceCount: 1,
    volumeSize: 1,
  });
}

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mm-doc-platform-'));
  dirs.push(dataDir);
  platform = await startLocalPlatform({ dataDir, port: 0, onError: () => {} });
  session = new Session({
    baseUrl: platform.baseUrl,
    username: platform.username,
    password: platform.password,
    bucket: platform.s3.bucket,
    configPath: false,
    level: 40,
  });
  bucket = platform.s3.bucket;
  data = `s3://${bucket}/doc-${stamp}/data/iris.csv`;
  await lastValueFrom(uploadData(session, join(ROOT, 'examples/data/iris.csv'), data));
});

afterAll(async () => {
  await platform?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe(DOC, () => {
  it('marks every code block', () => {
    expect(readmeBlocks(DOC).filter((block) => block.kind === undefined)).toEqual([]);
  });

  it('names every variable the runner sets for a training program', () => {
    const text = readFileSync(join(ROOT, DOC), 'utf8');
    const dirs = { work: '/w', data: '/w/d', code: '/w/c', output: '/w/o', initModel: '/w/m' };
    const names = Object.keys(platformVariables(dirs, [{ name: 'learning-rate', value: 1 }], 0, 1));
    expect(names).toContain('MM_HP_LEARNING_RATE');
    for (const name of names) expect(text, name).toContain(name);
  });

  it.each(LANGUAGES)(
    '$name: trains, registers, serves and predicts, as printed',
    async (language) => {
      const trainer = estimator(language, codeDir(language), language.name);
      const events: FitEvent[] = [];
      const predictor = await lastValueFrom(
        trainer.fit({ inputs: data, jobName: `doc-${language.name}-${stamp}` }).pipe(
          tap((event) => events.push(event)),
          trained(),
          switchMap(() =>
            trainer.createModel({
              modelVersion: '1.0.0',
              modelCodeDir: codeDir(language),
              modelBootFile: language.predict,
            }),
          ),
          switchMap(() =>
            trainer.deployPredictor({
              serviceName: `doc-${language.name}-${stamp}`,
              serviceModels: [{ weight: 100, resourceId: 500151, instanceCount: 1 }],
            }),
          ),
          deployed(),
        ),
      );
      try {
        const lines = events.flatMap((event) => (event.type === 'line' ? [event.line.content] : []));
        expect(lines).toContain('instance 0 of 1, shrink=0.1');
        expect(lines).toContain('model.json written');
        const accuracy = events.flatMap((event) => (event.type === 'metric' ? [event.sample.value] : []));
        expect(accuracy).toHaveLength(1);
        expect(accuracy[0]).toBeGreaterThan(0.85);
        const artifacts = await firstValueFrom(trainer.artifacts());
        expect(artifacts.files.map((file) => file.key.split('/').at(-1))).toEqual(['model.json']);

        expect(await firstValueFrom(predictor.predict({ instances: IRIS }))).toEqual({
          predictions: ['setosa', 'versicolor', 'virginica'],
        });
        const refused = await firstValueFrom(predictor.predict({ rows: IRIS })).catch((e: unknown) => e);
        expect(refused).toMatchObject({ _tag: 'HttpError', status: 400 });
      } finally {
        await lastValueFrom(deleteService(session, predictor.serviceId));
      }
    },
    60_000,
  );

  it.each(LANGUAGES)(
    '$name: no CSV in the data fails the job with the program’s own message',
    async (language) => {
      const notCsv = `s3://${bucket}/doc-${stamp}/not-csv/readme.txt`;
      const file = join(codeDir(language), 'readme.txt');
      writeFileSync(file, 'not a table');
      await lastValueFrom(uploadData(session, file, notCsv));
      const failure = await lastValueFrom(
        estimator(language, codeDir(language), `${language.name}-fails`).fit({
          inputs: notCsv,
          jobName: `doc-${language.name}-fails-${stamp}`,
        }),
      ).catch((e: unknown) => e);
      expect(hasTag(failure, 'TrainingFailed')).toBe(true);
      expect(failure).toMatchObject({ status: 'TRAINING_FAIL', exitCode: 1 });
      const said = (failure as { programError?: string }).programError ?? '';
      expect(said).toMatch(
        language.name === 'node' ? /^Error: no CSV file in \/.+\/data$/ : /^no CSV file in \/.+\/data$/,
      );
    },
    60_000,
  );
});
