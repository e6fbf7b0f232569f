package io.portcullis.gateway.cli;

/** Entry point of the shaded jar. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.out.println("portcullis");
  }
}
