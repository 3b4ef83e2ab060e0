package dev.veil.testing;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A real headless Chromium (Debian's chromium and chromium-driver), driven by Selenium through the system's
 * chromedriver: no driver or browser is downloaded (Selenium Manager is never asked, since both paths are given).
 * Each instance is a new browser with an empty profile and its own download directory. Where Chromium is not
 * installed, {@link #start()} aborts the test (JUnit: skipped) saying so.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final List<Path> BROWSERS = List.of(Path.of("/usr/bin/chromium"), Path.of("/usr/lib/chromium/chromium"));

    private final ChromeDriver driver;
    private final Path profile;
    private final Path downloads;

    private HeadlessChromium(ChromeDriver driver, Path profile, Path downloads) {
        this.driver = driver;
        this.profile = profile;
        this.downloads = downloads;
    }

    public static HeadlessChromium start() throws IOException {
        Optional<Path> browser = BROWSERS.stream().filter(Files::isExecutable).findFirst();
        if (browser.isEmpty() || !Files.isExecutable(DRIVER)) {
            throw new TestAbortedException("Chromium is not installed here (" + (browser.isEmpty() ? "no /usr/bin/chromium" : "no " + DRIVER)
                    + "): the browser tests need Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)");
        }
        Path profile = Files.createTempDirectory("veil-chromium-profile");
        Path downloads = Files.createTempDirectory("veil-chromium-downloads");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.get().toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1280,860");
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        // Headless Chromium drops downloads unless told where they go.
        driver.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow", "downloadPath", downloads.toString()));
        return new HeadlessChromium(driver, profile, downloads);
    }

    public ChromeDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    public List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** Waits (up to 30 s) until an element matches. */
    public WebElement await(String css) {
        return new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> {
            List<WebElement> found = d.findElements(By.cssSelector(css));
            return found.isEmpty() ? null : found.get(0);
        });
    }

    public String text() {
        return driver.findElement(By.tagName("body")).getText();
    }

    /** Waits (up to 60 s) for a finished download (Chromium writes *.crdownload until it is complete). */
    public Path awaitDownload(String suffix) {
        return new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> {
            try (Stream<Path> files = Files.list(downloads)) {
                return files.filter(f -> f.getFileName().toString().endsWith(suffix)).findFirst().orElse(null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** A PNG of the viewport, copied to {@code target}. */
    public void screenshot(Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            for (Path dir : List.of(profile, downloads)) {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
