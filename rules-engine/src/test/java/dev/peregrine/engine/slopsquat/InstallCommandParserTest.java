package dev.peregrine.engine.slopsquat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.engine.slopsquat.PackageRequest.Kind;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class InstallCommandParserTest {

    private final InstallCommandParser parser = new InstallCommandParser();

    private List<String> names(final String commandLine) {
        return parser.parse(commandLine).stream().filter(r -> r.kind() == Kind.NAME).map(PackageRequest::name).toList();
    }

    private List<PackageRequest> direct(final String commandLine) {
        return parser.parse(commandLine).stream().filter(r -> r.kind() == Kind.DIRECT_URL).toList();
    }

    @Nested
    class Pip {
        @Test
        void versionSpecifiersAndExtrasAreStripped() {
            assertThat(names("pip install requests==2.31.0 'numpy>=1.26,<2' pandas[performance] flask~=3.0 attrs!=21.1"))
                    .containsExactly("requests", "numpy", "pandas", "flask", "attrs");
        }

        @Test
        void optionsAndTheirValuesAreSkipped() {
            assertThat(names("/usr/local/bin/pip3 install --no-cache-dir -U --index-url https://pypi.org/simple "
                    + "--target /opt/libs --timeout=30 -q --trusted-host pypi.org httpx"))
                    .containsExactly("httpx");
        }

        @Test
        void pythonDashMPipIsPip() {
            assertThat(names("python3.11 -I -m pip install --user --upgrade pydantic-settings"))
                    .containsExactly("pydantic-settings");
            assertThat(names("python -mpip install rich")).containsExactly("rich");
        }

        @Test
        void quotesLostInProcArgsLeaveSpecifierPiecesThatAreNotNames() {
            // proc.args joins argv with spaces: "requests >= 2.0" arrives as three words
            assertThat(names("pip install requests >= 2.0 , <3")).containsExactly("requests");
        }

        @Test
        void requirementFilesAreReportedAsSuch() {
            final List<PackageRequest> requests = parser.parse("pip install -r requirements.txt --requirement=dev.txt -rci.txt");
            assertThat(requests).extracting(PackageRequest::kind).containsOnly(Kind.REQUIREMENTS_FILE);
            assertThat(requests).extracting(PackageRequest::spec).containsExactly("requirements.txt", "dev.txt", "ci.txt");
        }

        @Test
        void pathsVcsAndUrlsAreDirectInstalls() {
            final List<PackageRequest> requests = direct("pip install . ./vendor/lib-1.0-py3-none-any.whl "
                    + "git+https://github.com/acme/tool.git@v1#egg=acme-tool https://files.example.com/x-1.0.tar.gz "
                    + "-e ../shared");
            assertThat(requests).extracting(PackageRequest::spec).containsExactly(
                    "../shared", ".", "./vendor/lib-1.0-py3-none-any.whl",
                    "git+https://github.com/acme/tool.git@v1#egg=acme-tool", "https://files.example.com/x-1.0.tar.gz");
            assertThat(requests.get(3).name()).isEqualTo("acme-tool");
        }

        @Test
        void pep508DirectReferencesKeepTheirNameButAreDirect() {
            assertThat(direct("pip install 'mylib @ git+https://github.com/me/mylib'"))
                    .extracting(PackageRequest::name).containsExactly("mylib");
            assertThat(direct("pip install mylib @ https://example.com/mylib.zip"))
                    .extracting(PackageRequest::name).containsExactly("mylib");
            assertThat(names("pip install mylib @ https://example.com/mylib.zip")).isEmpty();
        }

        @Test
        void otherPipCommandsInstallNothing() {
            assertThat(parser.parse("pip download requests")).isEmpty();
            assertThat(parser.parse("pip show requests")).isEmpty();
            assertThat(parser.parse("python3 -c 'import pip'")).isEmpty();
            assertThat(parser.parse("python3 script.py install requests")).isEmpty();
        }
    }

    @Nested
    class PythonProjectTools {
        @Test
        void uvPipInstall() {
            assertThat(names("uv pip install --system --python 3.12 -p /usr/bin/python3 'fastapi[standard]>=0.110' uvicorn"))
                    .containsExactly("fastapi", "uvicorn");
        }

        @Test
        void uvAdd() {
            assertThat(names("uv --directory /workspace add --dev --optional docs mkdocs-material pytest==8.*"))
                    .containsExactly("mkdocs-material", "pytest");
            assertThat(parser.parse("uv add -r requirements.in")).extracting(PackageRequest::kind)
                    .containsExactly(Kind.REQUIREMENTS_FILE);
            assertThat(direct("uv add --editable ./packages/core")).extracting(PackageRequest::spec)
                    .containsExactly("./packages/core");
        }

        @Test
        void poetryAdd() {
            assertThat(names("poetry add --group dev -E crypto pytest@^8.0 'jwt[crypto]@latest' black>=24"))
                    .containsExactly("pytest", "jwt", "black");
            assertThat(direct("poetry add git+https://github.com/org/repo.git#main")).hasSize(1);
        }

        @Test
        void pipenvInstall() {
            assertThat(names("pipenv install --dev --python 3.11 'django>=5' djangorestframework"))
                    .containsExactly("django", "djangorestframework");
            assertThat(parser.parse("pipenv install -r requirements.txt")).extracting(PackageRequest::kind)
                    .containsExactly(Kind.REQUIREMENTS_FILE);
        }
    }

    @Nested
    class JavaScript {
        @Test
        void npmInstallAndItsAliases() {
            assertThat(names("npm install --save-dev --registry https://registry.npmjs.org typescript@5.4 @types/node@^20"))
                    .containsExactly("typescript", "@types/node");
            assertThat(names("npm i -D eslint")).containsExactly("eslint");
            assertThat(names("npm add lodash@latest")).containsExactly("lodash");
            assertThat(names("npm --prefix /app isntall express")).containsExactly("express");
        }

        @Test
        void npmAliasesResolveToTheRealPackage() {
            assertThat(names("npm install react18@npm:react@^18.2.0 lod@npm:@acme/lodash")).containsExactly("react", "@acme/lodash");
        }

        @Test
        void npmGitTarballAndPathSpecsAreDirect() {
            assertThat(direct("npm install github:user/repo user/repo#main git+ssh://git@github.com/u/r.git "
                    + "https://example.com/pkg.tgz ./local-dir file:../lib ./pkg-1.0.0.tgz")).hasSize(7);
        }

        @Test
        void plainNpmInstallAndCiInstallNothingByName() {
            assertThat(parser.parse("npm install")).isEmpty();
            assertThat(parser.parse("npm ci --omit=dev")).isEmpty();
            assertThat(parser.parse("npm run build")).isEmpty();
        }

        @Test
        void npxRunsTheFirstPositionalOrTheDashPPackages() {
            assertThat(names("npx --yes create-react-app@latest my-app --template typescript")).containsExactly("create-react-app");
            assertThat(names("npx -p @angular/cli@17 -p typescript ng new app")).containsExactly("@angular/cli", "typescript");
            assertThat(names("npx -c 'echo hi'")).isEmpty();
            assertThat(names("npm exec --package=cowsay -- cowsay hi")).containsExactly("cowsay");
        }

        @Test
        void yarnPnpmAndBun() {
            assertThat(names("yarn add -D --exact prettier@3.2.5")).containsExactly("prettier");
            assertThat(names("yarn global add serve")).containsExactly("serve");
            assertThat(names("pnpm add --filter web -D vite")).containsExactly("vite");
            assertThat(names("pnpm install zod")).containsExactly("zod");
            assertThat(names("pnpm dlx degit user/repo")).containsExactly("degit");
            assertThat(names("bun add -d @biomejs/biome elysia")).containsExactly("@biomejs/biome", "elysia");
            assertThat(names("bunx cowsay hello")).containsExactly("cowsay");
            assertThat(parser.parse("yarn install --frozen-lockfile")).isEmpty();
        }
    }

    @Nested
    class OtherEcosystems {
        @Test
        void cargoAddAndInstall() {
            final List<PackageRequest> requests = parser.parse("cargo add serde@1.0 tokio --features full -F macros");
            assertThat(requests).extracting(PackageRequest::name).containsExactly("serde", "tokio");
            assertThat(requests).extracting(PackageRequest::ecosystem).containsOnly(Ecosystem.CRATES);
            assertThat(names("cargo install --locked --version 14.1.0 ripgrep")).containsExactly("ripgrep");
            assertThat(direct("cargo install --git https://github.com/u/tool tool")).extracting(PackageRequest::name)
                    .containsExactly("tool");
            assertThat(direct("cargo add --path ../core")).hasSize(1);
        }

        @Test
        void gemInstall() {
            assertThat(names("gem install rails -v 7.1.3 --no-document")).containsExactly("rails");
            assertThat(names("gem install nokogiri:1.16.0 bundler")).containsExactly("nokogiri", "bundler");
            assertThat(direct("gem install ./pkg/my-gem-0.1.0.gem")).hasSize(1);
        }

        @Test
        void goGetAndInstall() {
            final List<PackageRequest> requests = parser.parse("go install -v golang.org/x/tools/gopls@latest");
            assertThat(requests).extracting(PackageRequest::name).containsExactly("golang.org/x/tools/gopls");
            assertThat(requests).extracting(PackageRequest::ecosystem).containsOnly(Ecosystem.GO);
            assertThat(names("go get -u github.com/spf13/cobra@v1.8.0")).containsExactly("github.com/spf13/cobra");
            assertThat(parser.parse("go install ./cmd/server")).isEmpty();
            assertThat(parser.parse("go build ./...")).isEmpty();
        }
    }

    @Test
    void programsThatAreNotInstallersGiveNothing() {
        assertThat(parser.parse("bash -c 'pip install requests'")).isEmpty();
        assertThat(parser.parse("cat requirements.txt")).isEmpty();
        assertThat(parser.parse("")).isEmpty();
    }

    @Test
    void arbitraryCommandLinesNeverFail() {
        final String[] words = {"pip", "pip3", "python3", "-m", "install", "npm", "npx", "uv", "add", "pip", "-r", "-e",
            "--", "''", "\"", "'", "@", "@scope/", "@x@", "npm:", "-p", "--package=", "==", "[", "]", "git+", "./",
            "cargo", "--git", "gem", "go", "get", "@latest", "-", "=", ",", "a", "requests", "\\"};
        final java.util.Random random = new java.util.Random(11);
        for (int i = 0; i < 5000; i++) {
            final StringBuilder line = new StringBuilder();
            for (int w = random.nextInt(8); w >= 0; w--) {
                line.append(words[random.nextInt(words.length)]).append(random.nextBoolean() ? " " : "");
            }
            final String commandLine = line.toString();
            org.assertj.core.api.Assertions.assertThatCode(() -> parser.parse(commandLine)).as(commandLine)
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void brokenQuotingNeverFails() {
        assertThat(names("pip install 'unterminated")).containsExactly("unterminated");
        assertThat(parser.parse("pip install \\")).isEmpty();
    }
}
