import { dirname } from 'node:path';
import ts from 'typescript';

/**
 * Type-checks in-memory modules (absolute path → source) with the compiler options of the
 * tsconfig.json nearest the first one; their imports resolve as if the files were on disk there.
 * Returns each module's error messages. For tests that show a call fails to compile.
 */
export function typeErrors(files: Record<string, string>): Record<string, string[]> {
  const paths = Object.keys(files);
  const configFile = ts.findConfigFile(dirname(paths[0]!), ts.sys.fileExists, 'tsconfig.json');
  if (!configFile) throw new Error(`no tsconfig.json above ${paths[0]}`);
  const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configFile));
  const options = { ...parsed.options, noEmit: true, incremental: false };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => name in files || fileExists(name);
  host.readFile = (name) => files[name] ?? readFile(name);
  host.getSourceFile = (name, language, ...rest) =>
    name in files
      ? ts.createSourceFile(name, files[name]!, language)
      : getSourceFile(name, language, ...rest);
  const program = ts.createProgram(paths, options, host);
  return Object.fromEntries(
    paths.map((path) => {
      const file = program.getSourceFile(path)!;
      const diagnostics = [
        ...program.getSyntacticDiagnostics(file),
        ...program.getSemanticDiagnostics(file),
      ];
      return [path, diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))];
    }),
  );
}
