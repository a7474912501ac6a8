/**
 * Types for the two mljs packages that ship none (CommonJS, default/named exports
 * as Node's ESM loader sees them). Only what the preset algorithms use.
 * @module
 */
declare module 'ml-logistic-regression' {
  import type { Matrix } from 'ml-matrix';

  /** One binary classifier of the one-vs-all model: `weights` is a 1×d matrix. */
  export interface LogisticRegressionTwoClassesModel {
    numSteps: number;
    learningRate: number;
    weights: number[][];
  }

  /** `LogisticRegression#toJSON()`. */
  export interface LogisticRegressionModel {
    name: 'LogisticRegression';
    numSteps: number;
    learningRate: number;
    numberClasses: number;
    classifiers: LogisticRegressionTwoClassesModel[];
  }

  /** One-vs-all logistic regression; class `i`'s classifier scores "not i", `predict` takes the lowest. */
  export default class LogisticRegression {
    constructor(options?: Partial<Omit<LogisticRegressionModel, 'name'>>);
    numberClasses: number;
    train(x: Matrix, y: Matrix): void;
    predict(x: Matrix): number[];
    toJSON(): LogisticRegressionModel;
    static load(model: LogisticRegressionModel): LogisticRegression;
  }
}

declare module 'ml-regression' {
  /** `MultivariateLinearRegression#toJSON()`. */
  export interface MultivariateLinearRegressionModel {
    name: 'multivariateLinearRegression';
    weights: number[][];
    inputs: number;
    outputs: number;
    intercept: boolean;
  }

  /** Least-squares linear regression of several outputs on several inputs. */
  export class MultivariateLinearRegression {
    constructor(x: number[][], y: number[][], options?: { intercept?: boolean; statistics?: boolean });
    predict(x: number[][]): number[][];
    toJSON(): MultivariateLinearRegressionModel;
    static load(model: MultivariateLinearRegressionModel): MultivariateLinearRegression;
  }
}
