/**
 * What each function's code can ask of DynamoDB, read from the code itself
 * with the TypeScript compiler: starting at the function's entry file, it
 * follows every reference (functions, methods, classes; a call through a
 * port interface reaches every class that implements it) and collects the
 * DynamoDB commands the reachable code constructs, with the index each
 * query names and the table of the repository the code runs in.
 *
 * It over-approximates on purpose (a method that is referenced counts as
 * called), so what it reports is what the function could do; the IAM policy
 * must grant exactly that (test/infra/least-privilege.test.ts).
 */
import { dirname, resolve } from 'node:path';
import ts from 'typescript';
import { type PipelineTableNames, TABLES, type TableId, type TableNames } from '../../shared/tables';

/** An item action on a table (`GetItem`) or a query of one of its indexes (`Query@byStart`). */
export type TableUse = string;

export type CodeAccess = Partial<Record<TableId, Set<TableUse>>>;

/** DynamoDB data-plane commands (document client and low-level client) and the IAM action each needs. */
const COMMAND_ACTIONS: Readonly<Record<string, string>> = {
  GetCommand: 'GetItem',
  GetItemCommand: 'GetItem',
  PutCommand: 'PutItem',
  PutItemCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  UpdateItemCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  DeleteItemCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  BatchGetCommand: 'BatchGetItem',
  BatchGetItemCommand: 'BatchGetItem',
  BatchWriteCommand: 'BatchWriteItem',
  BatchWriteItemCommand: 'BatchWriteItem',
};

/** The item actions a transaction's parts need (IAM has no action for the transaction itself). */
const TRANSACT_PARTS: Readonly<Record<string, string>> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

const DYNAMO_PACKAGES = ['@aws-sdk/lib-dynamodb', '@aws-sdk/client-dynamodb'];

/** The variables that name each table (shared/config/env.ts), for repositories built from env. */
const TABLE_ENV: Readonly<Record<string, TableId>> = {
  CLINICS_TABLE: 'clinics',
  PATIENTS_TABLE: 'patients',
  APPOINTMENTS_TABLE: 'appointments',
  MESSAGES_TABLE: 'messages',
  INBOUND_TABLE: 'inbound',
};

const TABLE_IDS = new Set<string>(Object.keys(TABLES));

type Unit = ts.SignatureDeclaration | ts.ClassLikeDeclaration | ts.SourceFile | ts.VariableDeclaration;

function isProjectFile(file: ts.SourceFile, root: string): boolean {
  return (
    !file.isDeclarationFile && file.fileName.startsWith(root) && !file.fileName.includes('/node_modules/')
  );
}

function isFromDynamoPackage(declaration: ts.Declaration): boolean {
  const file = declaration.getSourceFile().fileName;
  return DYNAMO_PACKAGES.some((name) => file.includes(`/node_modules/${name}/`));
}

/** One program over every entry file, so the checker resolves references across them once. */
export class CodeAccessAnalyzer {
  private readonly program: ts.Program;
  private readonly checker: ts.TypeChecker;
  private readonly root: string;
  /** Classes whose instances are bound to one table (repositories), by declaration. */
  private readonly tableOfClass = new Map<ts.ClassLikeDeclaration, TableId>();
  /** Classes by the interfaces they implement. */
  private readonly implementers = new Map<ts.Symbol, ts.ClassLikeDeclaration[]>();

  /**
   * @param entries - entry files of the functions, relative to the repository root
   * @param root - the repository root
   */
  constructor(entries: readonly string[], root: string) {
    this.root = resolve(root);
    const configPath = resolve(this.root, 'tsconfig.json');
    const parsed = ts.getParsedCommandLineOfConfigFile(
      configPath,
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
          throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
        },
      },
    );
    if (!parsed) throw new Error(`cannot read ${configPath}`);
    this.program = ts.createProgram({
      rootNames: entries.map((entry) => resolve(this.root, entry)),
      options: { ...parsed.options, noEmit: true },
    });
    this.checker = this.program.getTypeChecker();
    for (const file of this.program.getSourceFiles()) {
      if (isProjectFile(file, this.root)) this.indexFile(file);
    }
  }

  /** Which classes implement which interfaces, and which table each repository class is built for. */
  private indexFile(file: ts.SourceFile): void {
    const visit = (node: ts.Node): void => {
      if (ts.isClassLike(node)) {
        for (const clause of node.heritageClauses ?? []) {
          if (clause.token !== ts.SyntaxKind.ImplementsKeyword) continue;
          for (const type of clause.types) this.registerImplementation(node, this.resolved(type.expression));
        }
      }
      if (ts.isNewExpression(node)) this.bindTable(node);
      ts.forEachChild(node, visit);
    };
    visit(file);
  }

  /** Registers a class under an interface it implements and under every interface that one extends. */
  private registerImplementation(node: ts.ClassLikeDeclaration, port: ts.Symbol | undefined): void {
    if (!port) return;
    const list = this.implementers.get(port) ?? [];
    if (list.includes(node)) return;
    list.push(node);
    this.implementers.set(port, list);
    for (const declaration of port.declarations ?? []) {
      if (!ts.isInterfaceDeclaration(declaration)) continue;
      for (const clause of declaration.heritageClauses ?? []) {
        for (const type of clause.types) this.registerImplementation(node, this.resolved(type.expression));
      }
    }
  }

  /** `new Repo(doc, names.clinics)` or `new Repo(doc, env.CLINICS_TABLE)` binds Repo to the clinics table. */
  private bindTable(node: ts.NewExpression): void {
    const target = this.resolved(node.expression)?.declarations?.find(ts.isClassLike);
    if (!target) return;
    for (const argument of node.arguments ?? []) {
      if (!ts.isPropertyAccessExpression(argument)) continue;
      const name = argument.name.text;
      let table: TableId | undefined;
      if (TABLE_IDS.has(name) && this.isTableNames(argument.expression)) table = name as TableId;
      else if (name in TABLE_ENV) table = TABLE_ENV[name];
      if (!table) continue;
      const bound = this.tableOfClass.get(target);
      if (bound && bound !== table) {
        throw new Error(`${target.name?.text} is built for both ${bound} and ${table}: bind it to one table`);
      }
      this.tableOfClass.set(target, table);
    }
  }

  private isTableNames(expression: ts.Expression): boolean {
    const type = this.checker.getTypeAtLocation(expression);
    const names: (keyof { TableNames: TableNames; PipelineTableNames: PipelineTableNames })[] = [
      'TableNames',
      'PipelineTableNames',
    ];
    return names.some((name) => type.aliasSymbol?.name === name);
  }

  /** The symbol an expression names, through imports. */
  private resolved(node: ts.Node): ts.Symbol | undefined {
    const symbol = this.checker.getSymbolAtLocation(node);
    if (!symbol) return undefined;
    return symbol.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(symbol) : symbol;
  }

  /**
   * Everything the code reachable from one entry file asks of DynamoDB.
   *
   * @param entry - the function's entry file, relative to the repository root
   */
  accessOf(entry: string): CodeAccess {
    const file = this.program.getSourceFile(resolve(this.root, entry));
    if (!file) throw new Error(`${entry} is not part of the program`);
    const access: CodeAccess = {};
    const seen = new Set<string>();
    const ids = new Map<ts.Node, number>();
    const idOf = (node: ts.Node) => {
      let id = ids.get(node);
      if (id === undefined) {
        id = ids.size;
        ids.set(node, id);
      }
      return id;
    };
    const queue: { unit: Unit; table: TableId | undefined }[] = [];
    const reach = (unit: Unit, table: TableId | undefined) => {
      if (!isProjectFile(unit.getSourceFile(), this.root)) return;
      const key = `${idOf(unit)}|${table ?? ''}`;
      if (seen.has(key)) return;
      seen.add(key);
      queue.push({ unit, table });
    };
    const record = (table: TableId | undefined, use: TableUse, at: ts.Node) => {
      if (!table) {
        const where = at.getSourceFile();
        const { line } = where.getLineAndCharacterOfPosition(at.getStart());
        throw new Error(
          `${where.fileName.slice(this.root.length + 1)}:${line + 1} issues ${use} outside any repository bound to a table`,
        );
      }
      const uses = access[table] ?? new Set<TableUse>();
      uses.add(use);
      access[table] = uses;
    };

    reach(file, undefined);
    for (let next = queue.shift(); next; next = queue.shift()) {
      this.walk(next.unit, next.table, reach, record);
    }
    return access;
  }

  private walk(
    unit: Unit,
    table: TableId | undefined,
    reach: (unit: Unit, table: TableId | undefined) => void,
    record: (table: TableId | undefined, use: TableUse, at: ts.Node) => void,
  ): void {
    const classTable = (declaration: ts.ClassLikeDeclaration) => this.tableOfClass.get(declaration) ?? table;
    const enterDeclaration = (declaration: ts.Declaration) => {
      if (
        ts.isFunctionDeclaration(declaration) ||
        ts.isFunctionExpression(declaration) ||
        ts.isArrowFunction(declaration)
      ) {
        reach(declaration, table);
      } else if (
        ts.isMethodDeclaration(declaration) ||
        ts.isGetAccessorDeclaration(declaration) ||
        ts.isPropertyDeclaration(declaration)
      ) {
        const owner = declaration.parent;
        if (ts.isClassLike(owner)) {
          if (ts.isPropertyDeclaration(declaration)) {
            if (declaration.initializer) reach(owner, classTable(owner));
          } else reach(declaration, classTable(owner));
        } else if (ts.isMethodDeclaration(declaration)) {
          // A method of an object literal: part of whatever built the object.
          reach(declaration, table);
        }
      } else if (ts.isClassLike(declaration)) {
        // Building an instance runs the constructor and property initializers, not the methods.
        reach(declaration, classTable(declaration));
      } else if (ts.isVariableDeclaration(declaration)) {
        if (declaration.initializer) reach(declaration, table);
      } else if (ts.isMethodSignature(declaration) || ts.isPropertySignature(declaration)) {
        // A call through a port: any class that implements the interface may answer it.
        const owner = declaration.parent;
        if (!ts.isInterfaceDeclaration(owner)) return;
        const portSymbol = this.checker.getSymbolAtLocation(owner.name);
        const name = declaration.name.getText();
        for (const implementation of (portSymbol && this.implementers.get(portSymbol)) ?? []) {
          for (const member of implementation.members) {
            if (member.name?.getText() === name) enterDeclaration(member);
          }
        }
      }
    };

    const visit = (node: ts.Node): void => {
      if (node !== unit) {
        // Named functions and class members are units of their own, reached by reference.
        if (
          ts.isFunctionDeclaration(node) ||
          (ts.isMethodDeclaration(node) && ts.isClassLike(node.parent)) ||
          ts.isClassLike(node) ||
          ts.isGetAccessorDeclaration(node) ||
          ts.isConstructorDeclaration(node)
        ) {
          return;
        }
        // Types carry no calls; an import counts only where the code uses what it imports.
        if (
          ts.isInterfaceDeclaration(node) ||
          ts.isTypeAliasDeclaration(node) ||
          ts.isImportDeclaration(node) ||
          ts.isExportDeclaration(node)
        ) {
          return;
        }
      }
      if (ts.isNewExpression(node)) this.recordCommand(node, table, record);
      if (ts.isPropertyAssignment(node) && node.name.getText() === 'IndexName') {
        record(table, `Query@${this.literal(node.initializer)}`, node);
      }
      if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) {
        const symbol = this.resolved(node);
        for (const declaration of symbol?.declarations ?? []) enterDeclaration(declaration);
      }
      ts.forEachChild(node, visit);
    };

    if (ts.isClassLike(unit)) {
      // Constructor and property initializers.
      for (const member of unit.members) {
        if (ts.isConstructorDeclaration(member) && member.body) ts.forEachChild(member.body, visit);
        if (ts.isPropertyDeclaration(member) && member.initializer) visit(member.initializer);
        if (ts.isConstructorDeclaration(member)) {
          for (const parameter of member.parameters) if (parameter.initializer) visit(parameter.initializer);
        }
      }
      return;
    }
    if (ts.isVariableDeclaration(unit)) {
      if (unit.initializer) visit(unit.initializer);
      return;
    }
    ts.forEachChild(unit, visit);
  }

  private recordCommand(
    node: ts.NewExpression,
    table: TableId | undefined,
    record: (table: TableId | undefined, use: TableUse, at: ts.Node) => void,
  ): void {
    const declaration = this.resolved(node.expression)?.declarations?.[0];
    if (!declaration || !isFromDynamoPackage(declaration)) return;
    const name = ts.isClassLike(declaration) ? declaration.name?.text : undefined;
    if (!name?.endsWith('Command')) return;
    if (name === 'TransactWriteCommand' || name === 'TransactWriteItemsCommand') {
      this.recordTransactionParts(node, table, record);
      return;
    }
    const action = COMMAND_ACTIONS[name];
    if (!action) {
      throw new Error(
        `${node.getSourceFile().fileName}: ${name} is not a command this analysis knows; add it to COMMAND_ACTIONS`,
      );
    }
    if (action !== 'Query') {
      record(table, action, node);
      return;
    }
    // A query names an index (recorded where the IndexName property is) or reads the base table.
    const [input] = node.arguments ?? [];
    const namesIndex =
      input !== undefined &&
      ts.isObjectLiteralExpression(input) &&
      input.properties.some((property) => property.name?.getText() === 'IndexName');
    if (!namesIndex) record(table, 'Query', node);
  }

  /** Each part of a transaction written in place (`{ Update: {…} }`) needs its item action. */
  private recordTransactionParts(
    node: ts.NewExpression,
    table: TableId | undefined,
    record: (table: TableId | undefined, use: TableUse, at: ts.Node) => void,
  ): void {
    let found = 0;
    const visit = (child: ts.Node): void => {
      if (ts.isPropertyAssignment(child) && ts.isIdentifier(child.name)) {
        const action = TRANSACT_PARTS[child.name.text];
        if (action) {
          record(table, action, child);
          found += 1;
        }
      }
      ts.forEachChild(child, visit);
    };
    for (const argument of node.arguments ?? []) visit(argument);
    if (found === 0) {
      throw new Error(
        `${node.getSourceFile().fileName}: a transaction's parts must be written in place ({ Update: … }) to be read`,
      );
    }
  }

  /** The string an IndexName is set to: a literal or a constant of a literal type. */
  private literal(expression: ts.Expression): string {
    const type = this.checker.getTypeAtLocation(expression);
    if (type.isStringLiteral()) return type.value;
    throw new Error(
      `${expression.getSourceFile().fileName}: IndexName ${expression.getText()} is not a constant (use INDEX.…)`,
    );
  }
}

/** The directory of this file's repository root (two levels up from test/infra). */
export const REPOSITORY_ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
